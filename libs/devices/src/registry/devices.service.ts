import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { DomainError, type Principal, pageSize, toPage, type Page, type PageQueryDto } from '@landside/contracts';
import type { Actor } from '../audit/actor';
import { AuditTrail } from '../audit/audit-trail';
import { generateDeviceId } from './device-id';
import { generateDeviceSecret } from './device-secret';
import type { CreateDeviceDto } from './dto/create-device.dto';
import type { ListDevicesQueryDto } from './dto/list-devices.query';
import type { UpdateDeviceDto } from './dto/update-device.dto';
import { DeviceEntity } from './entities/device.entity';
import { assertNoParentCycle, requireDevice, requireLaneInZone, requireZone } from './references';
import { idAfter, mapPage, timeKeyAfter, timestampKeySql } from './keyset';
import { lockRegistry } from './registry-lock';
import { RegistryPublisher, registryEvents } from './registry-publisher';
import { changedDeviceFields, toDeviceView, type DeviceView, type DeviceWithSecret } from './views/device-view';
import type { TransitionView } from './views/transition-view';
import { assertMayWriteInZone, notFound, seesZone, zoneScope } from './zone-scope';
import type { DeviceState } from './registry-vocabulary';

/** The secret of a device after rotation, shown this once. */
export interface RotatedSecret {
  readonly id: string;
  readonly secret: string;
}

/**
 * Every field a PATCH may set, in a fixed order: the audit row's `fields` lists the given ones in
 * this order whatever the body's (the DTO is a mapped type, so its instance has no own field order).
 * Typed as a record of the DTO's keys, so a field added to the DTO must be listed here.
 */
const PATCHABLE_FIELDS: Record<keyof UpdateDeviceDto, true> = {
  name: true,
  maintenance: true,
  config: true,
  parentId: true,
  laneId: true,
  heartbeatIntervalS: true,
  missTolerance: true,
};

interface TransitionRow {
  id: string;
  device_id: string;
  from_state: DeviceState;
  to_state: DeviceState;
  reason: string;
  flapping: boolean;
  at: Date;
  at_key: string;
}

/**
 * The device REST resource (SPEC §8, §9): reads scoped to the principal's zones, admin writes
 * each in one transaction with its audit row, registry events published after commit.
 */
@Injectable()
export class DevicesService {
  constructor(
    @InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>,
    private readonly audit: AuditTrail,
    private readonly publisher: RegistryPublisher,
  ) {}

  async list(principal: Principal, query: ListDevicesQueryDto): Promise<Page<DeviceView>> {
    const limit = pageSize(query);
    const qb = this.devices.createQueryBuilder('d').orderBy('d.id', 'ASC').limit(limit + 1);
    const scope = zoneScope(principal);
    if (scope !== undefined) qb.andWhere('d.zoneId = ANY(:scope)', { scope });
    if (query.zoneId !== undefined) qb.andWhere('d.zoneId = :zoneId', { zoneId: query.zoneId });
    if (query.type !== undefined) qb.andWhere('d.type = :type', { type: query.type });
    if (query.state !== undefined) qb.andWhere('d.state = :state', { state: query.state });
    const after = idAfter(query);
    if (after !== undefined) qb.andWhere('d.id > :after', { after });
    return mapPage(toPage(await qb.getMany(), limit, (d) => [d.id]), toDeviceView);
  }

  async get(principal: Principal, id: string): Promise<DeviceView> {
    return toDeviceView(await this.visible(principal, id));
  }

  async create(actor: Actor, dto: CreateDeviceDto): Promise<DeviceWithSecret> {
    const id = dto.id ?? generateDeviceId(dto.type);
    const created = await this.audit.run(actor, 'device.created', id, async (em, note) => {
      note.details['zoneId'] = dto.zoneId;
      note.details['type'] = dto.type;
      assertMayWriteInZone(actor.principal, dto.zoneId);
      await lockRegistry(em);
      const repo = em.getRepository(DeviceEntity);
      if (await repo.existsBy({ id })) throw new DomainError('conflict', `device '${id}' already exists`);
      await requireZone(em, actor.principal, dto.zoneId, 'zoneId');
      if (dto.laneId != null) await requireLaneInZone(em, actor.principal, dto.laneId, dto.zoneId, 'laneId');
      if (dto.parentId != null) await requireDevice(em, actor.principal, dto.parentId, 'parentId');
      const { secret, hash } = await generateDeviceSecret();
      await repo.save(
        repo.create({
          id,
          type: dto.type,
          name: dto.name,
          zoneId: dto.zoneId,
          laneId: dto.laneId ?? null,
          parentId: dto.parentId ?? null,
          heartbeatIntervalS: dto.heartbeatIntervalS ?? null,
          missTolerance: dto.missTolerance ?? null,
          maintenance: dto.maintenance ?? false,
          config: dto.config ?? {},
          secretHash: hash,
        }),
      );
      return { device: toDeviceView(await repo.findOneByOrFail({ id })), secret };
    });
    await this.publisher.publish([registryEvents.deviceRegistered(created.device)]);
    return { ...created.device, secret: created.secret };
  }

  async update(actor: Actor, id: string, dto: UpdateDeviceDto): Promise<DeviceView> {
    const given = (Object.keys(PATCHABLE_FIELDS) as Array<keyof UpdateDeviceDto>).filter((k) => dto[k] !== undefined);
    if (given.length === 0) throw new DomainError('invalid', 'nothing to update', { fields: {} });
    const { before, after } = await this.audit.run(actor, 'device.updated', id, async (em, note) => {
      await lockRegistry(em);
      const repo = em.getRepository(DeviceEntity);
      const current = await repo.findOneBy({ id });
      if (!current || !seesZone(actor.principal, current.zoneId)) throw notFound('device', id);
      note.details['zoneId'] = current.zoneId;
      note.details['fields'] = given;
      if (dto.laneId != null) await requireLaneInZone(em, actor.principal, dto.laneId, current.zoneId, 'laneId');
      if (dto.parentId != null) {
        await requireDevice(em, actor.principal, dto.parentId, 'parentId');
        await assertNoParentCycle(em, 'devices', id, dto.parentId, 'parentId');
      }
      // Only the given columns are written: the health tracker writes the state columns of the
      // same row concurrently, and an entity save would write back the state we read.
      const columns: Array<[string, unknown]> = [];
      if (dto.name !== undefined) columns.push(['name', dto.name]);
      if (dto.maintenance !== undefined) columns.push(['maintenance', dto.maintenance]);
      if (dto.config !== undefined) columns.push(['config', JSON.stringify(dto.config)]);
      if (dto.heartbeatIntervalS !== undefined) columns.push(['heartbeat_interval_s', dto.heartbeatIntervalS]);
      if (dto.missTolerance !== undefined) columns.push(['miss_tolerance', dto.missTolerance]);
      if (dto.laneId !== undefined) columns.push(['lane_id', dto.laneId]);
      if (dto.parentId !== undefined) columns.push(['parent_id', dto.parentId]);
      await em.query(
        `UPDATE devices SET ${columns.map(([c], i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
        [id, ...columns.map(([, v]) => v)],
      );
      return { before: toDeviceView(current), after: toDeviceView(await repo.findOneByOrFail({ id })) };
    });
    const changed = changedDeviceFields(before, after);
    if (changed.length > 0) await this.publisher.publish([registryEvents.deviceUpdated(after, changed)]);
    return after;
  }

  /**
   * Deletes a device: its transitions, alerts and commands go with it (schema cascades), its
   * children lose their parent, bays it watched lose their camera. A member of a failover group
   * is refused (409): take it out of the group first (PUT /topology), so no group silently loses
   * a standby.
   */
  async remove(actor: Actor, id: string): Promise<void> {
    const { removed, children } = await this.audit.run(actor, 'device.deleted', id, async (em, note) => {
      await lockRegistry(em);
      const repo = em.getRepository(DeviceEntity);
      const current = await repo.findOneBy({ id });
      if (!current || !seesZone(actor.principal, current.zoneId)) throw notFound('device', id);
      note.details['zoneId'] = current.zoneId;
      const groups: Array<{ id: string }> = await em.query('SELECT id FROM failover_groups WHERE $1 = ANY(members) ORDER BY id', [id]);
      if (groups.length > 0) {
        throw new DomainError('conflict', `device '${id}' is a member of failover group ${groups.map((g) => `'${g.id}'`).join(', ')}; remove it from the group first`);
      }
      const before = await repo.findBy({ parentId: id });
      const bays: Array<{ id: string }> = await em.query('UPDATE bays SET camera_id = NULL WHERE camera_id = $1 RETURNING id', [id]);
      await repo.delete({ id });
      const after = before.length > 0 ? await repo.findBy({ id: In(before.map((c) => c.id)) }) : [];
      note.details['orphanedChildren'] = before.map((c) => c.id);
      note.details['unboundBays'] = bays.map((b) => b.id);
      const byId = new Map(after.map((c) => [c.id, toDeviceView(c)]));
      return {
        removed: toDeviceView(current),
        children: before.flatMap((c) => {
          const now = byId.get(c.id);
          return now ? [{ before: toDeviceView(c), after: now }] : [];
        }),
      };
    });
    await this.publisher.publish([
      registryEvents.deviceRemoved(removed),
      ...children.map((c) => registryEvents.deviceUpdated(c.after, changedDeviceFields(c.before, c.after))),
    ]);
  }

  /** Replaces the device's secret; the new one is returned this once. */
  async rotateSecret(actor: Actor, id: string): Promise<RotatedSecret> {
    return this.audit.run(actor, 'device.secret-rotated', id, async (em, note) => {
      await lockRegistry(em);
      const repo = em.getRepository(DeviceEntity);
      const current = await repo.findOneBy({ id });
      if (!current || !seesZone(actor.principal, current.zoneId)) throw notFound('device', id);
      note.details['zoneId'] = current.zoneId;
      const { secret, hash } = await generateDeviceSecret();
      await em.query('UPDATE devices SET secret_hash = $2, updated_at = now() WHERE id = $1', [id, hash]);
      return { id, secret };
    });
  }

  /** State transitions of a device, newest first (SPEC §8 GET /devices/{id}/history). */
  async history(principal: Principal, id: string, query: PageQueryDto): Promise<Page<TransitionView>> {
    await this.visible(principal, id);
    const limit = pageSize(query);
    const after = timeKeyAfter(query);
    const params: unknown[] = [id, limit + 1];
    let keyset = '';
    if (after !== undefined) {
      params.push(after.at, after.id);
      keyset = 'AND (at, id) < ($3::timestamptz, $4::bigint)';
    }
    const rows: TransitionRow[] = await this.devices.query(
      `SELECT id, device_id, from_state, to_state, reason, flapping, at, ${timestampKeySql('at')} AS at_key
         FROM device_transitions
        WHERE device_id = $1 ${keyset}
        ORDER BY at DESC, id DESC
        LIMIT $2`,
      params,
    );
    return mapPage(toPage(rows, limit, (r) => [r.at_key, r.id]), (r) => ({
      id: r.id,
      deviceId: r.device_id,
      from: r.from_state,
      to: r.to_state,
      reason: r.reason,
      flapping: r.flapping,
      at: r.at.toISOString(),
    }));
  }

  private async visible(principal: Principal, id: string): Promise<DeviceEntity> {
    const device = await this.devices.findOneBy({ id });
    if (!device || !seesZone(principal, device.zoneId)) throw notFound('device', id);
    return device;
  }
}
