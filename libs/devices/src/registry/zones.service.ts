import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DomainError, type Principal, pageSize, toPage, type Page } from '@landside/contracts';
import type { Actor } from '../audit/actor';
import { AuditTrail } from '../audit/audit-trail';
import type { CreateZoneDto } from './dto/create-zone.dto';
import type { ListZonesQueryDto } from './dto/list-zones.query';
import type { UpdateZoneDto } from './dto/update-zone.dto';
import { ZoneEntity } from './entities/zone.entity';
import { idAfter, mapPage } from './keyset';
import { assertNoParentCycle, requireZone } from './references';
import { lockRegistry } from './registry-lock';
import { RegistryPublisher, registryEvents } from './registry-publisher';
import { toZoneView, type ZoneView } from './views/zone-view';
import { assertMayWriteInZone, notFound, seesZone, zoneScope } from './zone-scope';

/**
 * Zones (SPEC §8). A scoped principal sees the zones listed in its scope (not their children
 * implicitly: scope is explicit) and may create only a zone whose id is in its scope.
 */
@Injectable()
export class ZonesService {
  constructor(
    @InjectRepository(ZoneEntity) private readonly zones: Repository<ZoneEntity>,
    private readonly audit: AuditTrail,
    private readonly publisher: RegistryPublisher,
  ) {}

  async list(principal: Principal, query: ListZonesQueryDto): Promise<Page<ZoneView>> {
    const limit = pageSize(query);
    const qb = this.zones.createQueryBuilder('z').orderBy('z.id', 'ASC').limit(limit + 1);
    const scope = zoneScope(principal);
    if (scope !== undefined) qb.andWhere('z.id = ANY(:scope)', { scope });
    if (query.kind !== undefined) qb.andWhere('z.kind = :kind', { kind: query.kind });
    if (query.parentId !== undefined) qb.andWhere('z.parentId = :parentId', { parentId: query.parentId });
    const after = idAfter(query);
    if (after !== undefined) qb.andWhere('z.id > :after', { after });
    return mapPage(toPage(await qb.getMany(), limit, (z) => [z.id]), toZoneView);
  }

  async get(principal: Principal, id: string): Promise<ZoneView> {
    const zone = await this.zones.findOneBy({ id });
    if (!zone || !seesZone(principal, zone.id)) throw notFound('zone', id);
    return toZoneView(zone);
  }

  async create(actor: Actor, dto: CreateZoneDto): Promise<ZoneView> {
    const zone = await this.audit.run(actor, 'zone.created', dto.id, async (em, note) => {
      note.details['zoneId'] = dto.id;
      assertMayWriteInZone(actor.principal, dto.id);
      await lockRegistry(em);
      const repo = em.getRepository(ZoneEntity);
      if (await repo.existsBy({ id: dto.id })) throw new DomainError('conflict', `zone '${dto.id}' already exists`);
      if (dto.parentId != null) await requireZone(em, actor.principal, dto.parentId, 'parentId');
      await repo.insert({ id: dto.id, name: dto.name, kind: dto.kind, parentId: dto.parentId ?? null });
      return toZoneView(await repo.findOneByOrFail({ id: dto.id }));
    });
    await this.publisher.publish([registryEvents.zoneChanged(zone, true)]);
    return zone;
  }

  async update(actor: Actor, id: string, dto: UpdateZoneDto): Promise<ZoneView> {
    const given = (Object.keys(dto) as Array<keyof UpdateZoneDto>).filter((k) => dto[k] !== undefined);
    if (given.length === 0) throw new DomainError('invalid', 'nothing to update', { fields: {} });
    const zone = await this.audit.run(actor, 'zone.updated', id, async (em, note) => {
      await lockRegistry(em);
      const repo = em.getRepository(ZoneEntity);
      const current = await repo.findOneBy({ id });
      if (!current || !seesZone(actor.principal, current.id)) throw notFound('zone', id);
      note.details['zoneId'] = id;
      note.details['fields'] = given;
      const changes: QueryDeepPartialEntity<ZoneEntity> = {};
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.closed !== undefined) changes.closed = dto.closed;
      if (dto.parentId !== undefined) {
        if (dto.parentId !== null) {
          await requireZone(em, actor.principal, dto.parentId, 'parentId');
          await assertNoParentCycle(em, 'zones', id, dto.parentId, 'parentId');
        }
        changes.parentId = dto.parentId;
      }
      await repo.update({ id }, changes);
      return toZoneView(await repo.findOneByOrFail({ id }));
    });
    await this.publisher.publish([registryEvents.zoneChanged(zone, false)]);
    return zone;
  }
}
