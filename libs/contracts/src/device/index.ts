export * from './heartbeat.dto';
export * from './device-event.dto';
export * from './command-result.dto';
export * from './ingress-events';
export * from './create-command.dto';
export * from './domain-events';
export * from './dispatch.dto';
