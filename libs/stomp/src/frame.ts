/**
 * The STOMP frame model (STOMP 1.2 §"STOMP Frames"): a command, an ordered header list and a
 * binary body. Headers stay an ordered list of pairs because the spec gives repeated headers a
 * meaning (the first occurrence wins, later ones are kept for transparency).
 */
export type ClientCommand =
  | 'CONNECT'
  | 'STOMP'
  | 'SEND'
  | 'SUBSCRIBE'
  | 'UNSUBSCRIBE'
  | 'ACK'
  | 'NACK'
  | 'BEGIN'
  | 'COMMIT'
  | 'ABORT'
  | 'DISCONNECT';
export type ServerCommand = 'CONNECTED' | 'MESSAGE' | 'RECEIPT' | 'ERROR';
export type StompCommand = ClientCommand | ServerCommand;

export const CLIENT_COMMANDS: readonly ClientCommand[] = [
  'CONNECT', 'STOMP', 'SEND', 'SUBSCRIBE', 'UNSUBSCRIBE', 'ACK', 'NACK', 'BEGIN', 'COMMIT', 'ABORT', 'DISCONNECT',
];
export const SERVER_COMMANDS: readonly ServerCommand[] = ['CONNECTED', 'MESSAGE', 'RECEIPT', 'ERROR'];

export type HeaderList = Array<[name: string, value: string]>;

export class StompFrame {
  constructor(
    readonly command: StompCommand,
    readonly headers: HeaderList = [],
    readonly body: Buffer = EMPTY_BODY,
  ) {}

  /** First occurrence wins (STOMP 1.2 "Repeated Header Entries"). */
  header(name: string): string | undefined {
    for (const [k, v] of this.headers) if (k === name) return v;
    return undefined;
  }

  get bodyText(): string {
    return this.body.toString('utf8');
  }
}

export const EMPTY_BODY: Buffer = Buffer.alloc(0);
