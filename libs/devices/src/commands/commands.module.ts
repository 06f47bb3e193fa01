import { Module, type DynamicModule } from '@nestjs/common';
import { CommandDispatcher } from './command-dispatcher';
import { CommandEvents } from './command-events';
import { CommandRequestHandler } from './command-requests';
import { CommandRepository } from './command.repository';
import type { CommandType } from '@landside/contracts';
import { FAILOVER_COMMANDS, type FailoverCommands } from '../failover/failover.ports';
import { CommandService, SYSTEM_ROLE } from './command.service';
import { CommandTargets } from './command-targets';
import { CommandTimers } from './command-timers';
import { COMMANDS_OPTIONS, type CommandsModuleOptions } from './commands.options';
import { GatewayCommandTopic, GatewayDeviceCommandChannel, GatewayRequesterReplies } from './gateway-adapters';
import { CommandsController } from './http/commands.controller';
import { CommandTopic, DeviceCommandChannel, RequesterReplies } from './ports';

/**
 * Device commands (SPEC §6): the REST API, `/app/commands` requests from the bus, delivery to
 * device sessions on this node, deadlines and restart recovery. Needs the core modules
 * (persistence, bus, observability, messaging). Exports CommandService for other domain
 * modules (failover, guidance signs) to issue commands with the same rules.
 */
@Module({})
export class CommandsModule {
  static forRoot(options: CommandsModuleOptions): DynamicModule {
    return {
      module: CommandsModule,
      global: true,
      controllers: [CommandsController],
      providers: [
        { provide: COMMANDS_OPTIONS, useValue: options },
        { provide: CommandTopic, useClass: GatewayCommandTopic },
        { provide: DeviceCommandChannel, useClass: GatewayDeviceCommandChannel },
        { provide: RequesterReplies, useClass: GatewayRequesterReplies },
        CommandRepository,
        CommandTargets,
        CommandTimers,
        CommandEvents,
        CommandService,
        CommandDispatcher,
        CommandRequestHandler,
        {
          // Failover (health module) issues ACTIVATE/DEACTIVATE/fallback commands through the same
          // use case, as the SYSTEM principal: validated, audited and delivered like any other.
          provide: FAILOVER_COMMANDS,
          inject: [CommandService],
          useFactory: (commands: CommandService): FailoverCommands => ({
            issue: async (deviceId, type, params) => {
              await commands.issue({ deviceId, type: type as CommandType, params }, { sub: 'system:failover', role: SYSTEM_ROLE }, null);
            },
          }),
        },
      ],
      exports: [CommandService, FAILOVER_COMMANDS],
    };
  }
}
