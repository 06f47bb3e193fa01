import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { DomainError, type Principal, pageSize, toPage, type Page } from '@landside/contracts';
import type { Actor } from '../audit/actor';
import { AuditTrail } from '../audit/audit-trail';
import type { CreateFailoverGroupDto } from './dto/create-failover-group.dto';
import type { ZoneFilterQueryDto } from './dto/zone-filter.query';
import { DeviceEntity } from './entities/device.entity';
import { FailoverGroupEntity } from './entities/failover-group.entity';
import { idAfter, mapPage } from './keyset';
import { requireZone } from './references';
import { lockRegistry } from './registry-lock';
import { RegistryPublisher, registryEvents } from './registry-publisher';
import { toFailoverGroupView, type FailoverGroupView } from './views/failover-group-view';
import { assertMayWriteInZone, zoneScope } from './zone-scope';

/**
 * Failover groups (SPEC §5): the policy only; acting on it is the failover engine's, which
 * follows `failover-group.changed`. Members must exist and be in the group's zone.
 */
@Injectable()
export class FailoverGroupsService {
  constructor(
    @InjectRepository(FailoverGroupEntity) private readonly groups: Repository<FailoverGroupEntity>,
    private readonly audit: AuditTrail,
    private readonly publisher: RegistryPublisher,
  ) {}

  async list(principal: Principal, query: ZoneFilterQueryDto): Promise<Page<FailoverGroupView>> {
    const limit = pageSize(query);
    const qb = this.groups.createQueryBuilder('g').orderBy('g.id', 'ASC').limit(limit + 1);
    const scope = zoneScope(principal);
    if (scope !== undefined) qb.andWhere('g.zoneId = ANY(:scope)', { scope });
    if (query.zoneId !== undefined) qb.andWhere('g.zoneId = :zoneId', { zoneId: query.zoneId });
    const after = idAfter(query);
    if (after !== undefined) qb.andWhere('g.id > :after', { after });
    return mapPage(toPage(await qb.getMany(), limit, (g) => [g.id]), toFailoverGroupView);
  }

  async create(actor: Actor, dto: CreateFailoverGroupDto): Promise<FailoverGroupView> {
    const group = await this.audit.run(actor, 'failover-group.created', dto.id, async (em, note) => {
      note.details['zoneId'] = dto.zoneId;
      note.details['members'] = dto.members;
      assertMayWriteInZone(actor.principal, dto.zoneId);
      await lockRegistry(em);
      const repo = em.getRepository(FailoverGroupEntity);
      if (await repo.existsBy({ id: dto.id })) throw new DomainError('conflict', `failover group '${dto.id}' already exists`);
      await requireZone(em, actor.principal, dto.zoneId, 'zoneId');
      const found = await em.getRepository(DeviceEntity).findBy({ id: In(dto.members) });
      const zoneOf = new Map(found.map((d) => [d.id, d.zoneId]));
      const problems = dto.members.flatMap((m, i) => {
        const zone = zoneOf.get(m);
        // A member in another zone is reported like a missing one when the principal cannot see it.
        if (zone === undefined || (zone !== dto.zoneId && actor.principal.zones !== undefined && !actor.principal.zones.includes(zone ?? ''))) {
          return [`members[${i}]: device '${m}' does not exist`];
        }
        return zone === dto.zoneId ? [] : [`members[${i}]: device '${m}' is in zone '${zone ?? '(none)'}', not '${dto.zoneId}'`];
      });
      if (problems.length > 0) throw new DomainError('invalid', problems.join('; '), { fields: { members: problems } });
      await repo.save(
        repo.create({
          id: dto.id,
          zoneId: dto.zoneId,
          members: dto.members,
          failback: dto.failback ?? 'MANUAL',
          fallbackCommand: dto.fallbackCommand ? { type: dto.fallbackCommand.type, params: dto.fallbackCommand.params ?? {} } : null,
        }),
      );
      return toFailoverGroupView(await repo.findOneByOrFail({ id: dto.id }));
    });
    await this.publisher.publish([registryEvents.failoverGroupChanged(group, true)]);
    return group;
  }
}
