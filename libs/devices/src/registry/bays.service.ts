import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DomainError, type Principal, pageSize, toPage, type Page } from '@landside/contracts';
import type { Actor } from '../audit/actor';
import { AuditTrail } from '../audit/audit-trail';
import type { CreateBayDto } from './dto/create-bay.dto';
import type { ZoneFilterQueryDto } from './dto/zone-filter.query';
import { BayEntity } from './entities/bay.entity';
import { idAfter, mapPage } from './keyset';
import { requireDevice, requireZone } from './references';
import { lockRegistry } from './registry-lock';
import { toBayView, type BayView } from './views/bay-view';
import { assertMayWriteInZone, zoneScope } from './zone-scope';

/** Parking bays (SPEC §8): `{id, zoneId, cameraId}`. */
@Injectable()
export class BaysService {
  constructor(
    @InjectRepository(BayEntity) private readonly bays: Repository<BayEntity>,
    private readonly audit: AuditTrail,
  ) {}

  async list(principal: Principal, query: ZoneFilterQueryDto): Promise<Page<BayView>> {
    const limit = pageSize(query);
    const qb = this.bays.createQueryBuilder('b').orderBy('b.id', 'ASC').limit(limit + 1);
    const scope = zoneScope(principal);
    if (scope !== undefined) qb.andWhere('b.zoneId = ANY(:scope)', { scope });
    if (query.zoneId !== undefined) qb.andWhere('b.zoneId = :zoneId', { zoneId: query.zoneId });
    const after = idAfter(query);
    if (after !== undefined) qb.andWhere('b.id > :after', { after });
    return mapPage(toPage(await qb.getMany(), limit, (b) => [b.id]), toBayView);
  }

  async create(actor: Actor, dto: CreateBayDto): Promise<BayView> {
    return this.audit.run(actor, 'bay.created', dto.id, async (em, note) => {
      note.details['zoneId'] = dto.zoneId;
      assertMayWriteInZone(actor.principal, dto.zoneId);
      await lockRegistry(em);
      const repo = em.getRepository(BayEntity);
      if (await repo.existsBy({ id: dto.id })) throw new DomainError('conflict', `bay '${dto.id}' already exists`);
      await requireZone(em, actor.principal, dto.zoneId, 'zoneId');
      if (dto.cameraId != null) await requireDevice(em, actor.principal, dto.cameraId, 'cameraId');
      await repo.insert({ id: dto.id, zoneId: dto.zoneId, cameraId: dto.cameraId ?? null });
      return toBayView(await repo.findOneByOrFail({ id: dto.id }));
    });
  }
}
