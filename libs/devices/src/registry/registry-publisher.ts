import { Injectable, Logger } from '@nestjs/common';
import { MessageBus } from '@landside/bus';
import type { RegistryEvent } from './registry-events';
import type { DeviceView } from './views/device-view';
import type { FailoverGroupView } from './views/failover-group-view';
import type { ZoneView } from './views/zone-view';

/**
 * Publishes registry events, in order, after a write has committed. A failed publication is
 * logged, never turned into a failed request: the change is already durable, and subscribers
 * resynchronize from DeviceRegistry.list() at start.
 */
@Injectable()
export class RegistryPublisher {
  private readonly logger = new Logger(RegistryPublisher.name);

  constructor(private readonly bus: MessageBus) {}

  async publish(events: readonly RegistryEvent[]): Promise<void> {
    for (const event of events) {
      try {
        await this.bus.publish(event.channel, event.payload);
      } catch (error) {
        this.logger.error(`publishing ${event.channel} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

export const registryEvents = {
  deviceRegistered: (device: DeviceView): RegistryEvent => ({ channel: 'device.registered', payload: device }),
  deviceUpdated: (device: DeviceView, changed: ReadonlyArray<keyof DeviceView>): RegistryEvent => ({
    channel: 'device.updated',
    payload: { ...device, changed },
  }),
  deviceRemoved: (device: DeviceView): RegistryEvent => ({ channel: 'device.removed', payload: device }),
  failoverGroupChanged: (group: FailoverGroupView, created: boolean): RegistryEvent => ({
    channel: 'failover-group.changed',
    payload: { ...group, created },
  }),
  zoneChanged: (zone: ZoneView, created: boolean): RegistryEvent => ({
    channel: 'zone.changed',
    payload: { ...zone, created },
  }),
};
