/**
 * What the failover coordinator needs from the command service, as a port: the health module
 * does not import the command module. The app binds FAILOVER_COMMANDS to an adapter over the
 * command service (system principal, audited like any command).
 */
export const FAILOVER_COMMANDS = Symbol('FAILOVER_COMMANDS');

export interface FailoverCommands {
  issue(deviceId: string, type: string, params: Record<string, unknown>, reason: string): Promise<void>;
}
