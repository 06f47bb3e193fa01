/** What the app tells the commands module (from AppConfig; libraries never read the environment). */
export interface CommandsModuleOptions {
  /** COMMAND_RESULT_TIMEOUT_S: a DELIVERED command without a result this long is TIMED_OUT; 0 turns it off. */
  readonly resultTimeoutS: number;
  /** How long a NACKed command waits before it is offered again (default 1000 ms). */
  readonly nackRetryMs?: number;
}

export const COMMANDS_OPTIONS = Symbol('COMMANDS_OPTIONS');

export const DEFAULT_NACK_RETRY_MS = 1000;
