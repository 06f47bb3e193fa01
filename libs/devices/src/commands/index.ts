/** Device commands (SPEC §6): pure domain, the use cases, delivery, REST and STOMP edges. */
export * from './domain';
export { CommandsModule } from './commands.module';
export { COMMANDS_OPTIONS, type CommandsModuleOptions } from './commands.options';
export { CommandService, mayIssue, SYSTEM_ROLE, type Issuer, type IssueResult, type CommandListQuery } from './command.service';
export { CommandDispatcher } from './command-dispatcher';
export { COMMAND_CHANNELS, type CommandDispatchRequested, type CommandStatusChanged } from './command-events';
export { COMMANDS_DESTINATION, DEVICE_COMMAND_QUEUE } from './gateway-adapters';
