import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError, type Principal, pageSize, toPage, type Page } from '@landside/contracts';
import type { Actor } from '../audit/actor';
import { AuditTrail } from '../audit/audit-trail';
import type { CreateLaneDto } from './dto/create-lane.dto';
import type { ZoneFilterQueryDto } from './dto/zone-filter.query';
import { LaneEntity } from './entities/lane.entity';
import { idAfter, mapPage } from './keyset';
import { requireZone } from './references';
import { lockRegistry } from './registry-lock';
import { toLaneView, type LaneView } from './views/lane-view';
import { assertMayWriteInZone, zoneScope } from './zone-scope';

/** Lanes (SPEC §8): `{id, zoneId, kind, name?}`. */
@Injectable()
export class LanesService {
  constructor(
    @InjectRepository(LaneEntity) private readonly lanes: Repository<LaneEntity>,
    private readonly audit: AuditTrail,
  ) {}

  async list(principal: Principal, query: ZoneFilterQueryDto): Promise<Page<LaneView>> {
    const limit = pageSize(query);
    const qb = this.lanes.createQueryBuilder('l').orderBy('l.id', 'ASC').limit(limit + 1);
    const scope = zoneScope(principal);
    if (scope !== undefined) qb.andWhere('l.zoneId = ANY(:scope)', { scope });
    if (query.zoneId !== undefined) qb.andWhere('l.zoneId = :zoneId', { zoneId: query.zoneId });
    const after = idAfter(query);
    if (after !== undefined) qb.andWhere('l.id > :after', { after });
    return mapPage(toPage(await qb.getMany(), limit, (l) => [l.id]), toLaneView);
  }

  async create(actor: Actor, dto: CreateLaneDto): Promise<LaneView> {
    return this.audit.run(actor, 'lane.created', dto.id, async (em, note) => {
      note.details['zoneId'] = dto.zoneId;
      assertMayWriteInZone(actor.principal, dto.zoneId);
      await lockRegistry(em);
      const repo = em.getRepository(LaneEntity);
      if (await repo.existsBy({ id: dto.id })) throw new DomainError('conflict', `lane '${dto.id}' already exists`);
      await requireZone(em, actor.principal, dto.zoneId, 'zoneId');
      await repo.insert({ id: dto.id, zoneId: dto.zoneId, kind: dto.kind, name: dto.name ?? '' });
      return toLaneView(await repo.findOneByOrFail({ id: dto.id }));
    });
  }
}
