import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DeviceEntity } from './entities/device.entity';
import { toDeviceView, type DeviceView } from './views/device-view';

/**
 * The registry as other services use it (health tracker, commands, failover): the current
 * configuration of devices, with effective health settings (override, else the type's default).
 * Unscoped: callers are services, not principals. Keep it current between reads by subscribing
 * to REGISTRY_EVENT_CHANNELS (`device.registered`, `device.updated`, `device.removed`).
 */
@Injectable()
export class DeviceRegistry {
  constructor(@InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>) {}

  async get(id: string): Promise<DeviceView | undefined> {
    const device = await this.devices.findOneBy({ id });
    return device ? toDeviceView(device) : undefined;
  }

  /** Every device, ordered by id. */
  async list(): Promise<DeviceView[]> {
    return (await this.devices.find({ order: { id: 'ASC' } })).map(toDeviceView);
  }
}
