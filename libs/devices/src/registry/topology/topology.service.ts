import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { PasswordHasher } from '@landside/auth';
import { DomainError, TOPOLOGY_EXTENSIONS, type Principal, type TopologyExtension } from '@landside/contracts';
import type { Actor } from '../../audit/actor';
import { AuditTrail } from '../../audit/audit-trail';
import { generateDeviceSecret, type GeneratedSecret } from '../device-secret';
import { DeviceEntity } from '../entities/device.entity';
import { FailoverGroupEntity } from '../entities/failover-group.entity';
import { ZoneEntity } from '../entities/zone.entity';
import { lockRegistry } from '../registry-lock';
import type { RegistryEvent } from '../registry-events';
import { RegistryPublisher, registryEvents } from '../registry-publisher';
import { changedDeviceFields, toDeviceView } from '../views/device-view';
import { toFailoverGroupView } from '../views/failover-group-view';
import { toZoneView } from '../views/zone-view';
import { assertUnscoped } from '../zone-scope';
import { mapLimit } from './map-limit';
import { checkTopology } from './topology-checker';
import type { KindCounts, TopologyApplyResult, TopologyDevice, TopologyDocument, TopologyError, TopologyExport, TopologyKey } from './topology-document';
import { exportTopology } from './topology-export';
import { parseTopology, type ParsedTopology } from './topology-parser';
import { counts, planTopology, type CurrentRows, type TopologyPlan } from './topology-plan';
import { findByIds, loadAllRows, loadCurrentRows, toSnapshot } from './topology-rows';
import { writeTopology } from './topology-writer';

/** At most this many errors are listed (`errorCount` tells the total). */
export const MAX_REPORTED_ERRORS = 1000;

/** Secret hashes computed before the transaction: argon2 work must not hold the database. */
interface PreparedSecrets {
  /** Hash to store for each device whose entry gives `secret` (its current hash when it already matches). */
  readonly supplied: ReadonlyMap<string, string>;
  /** For devices that did not exist when read and give no secret. */
  readonly generated: ReadonlyMap<string, GeneratedSecret>;
}

/**
 * PUT /topology and GET /topology (SPEC §8). Apply: shape checks, secret hashing outside the
 * transaction, then one transaction under the registry lock: load, check every reference against
 * document + database, refuse with every error by path (nothing applied) or upsert in batches,
 * one audit row with the counts. Registry events are published after commit.
 */
@Injectable()
export class TopologyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly publisher: RegistryPublisher,
    private readonly hasher: PasswordHasher,
    @Optional() @Inject(TOPOLOGY_EXTENSIONS) extensions?: readonly TopologyExtension[],
  ) {
    this.extensions = extensions ?? [];
  }

  /** Sections other services own (dispatch: `stands`, `destinations`), applied in the same transaction. */
  private readonly extensions: readonly TopologyExtension[];

  async apply(actor: Actor, body: unknown): Promise<TopologyApplyResult> {
    const parsed = parseTopology(body, this.extensions.map((e) => e.key));
    const sections = this.extensions.flatMap((extension) => {
      const section = isRecord(body) ? body[extension.key] : undefined;
      return section === undefined || section === null ? [] : [{ extension, section }];
    });
    const prepared = parsed.errors.length === 0 && actor.principal.zones === undefined ? await this.prepareSecrets(parsed) : undefined;
    const outcome = await this.audit.run(actor, 'topology.applied', null, async (em, note) => {
      assertUnscoped(actor.principal, 'PUT /topology');
      await lockRegistry(em);
      const current = await loadCurrentRows(em, parsed.bays.map((b) => b.value.id));
      const errors = [...parsed.errors, ...checkTopology(parsed, toSnapshot(current))];
      const zoneKinds = new Map<string, string>([...current.zones].map(([id, z]) => [id, z.kind]));
      for (const z of parsed.zones) if (!z.invalid.has('id') && !z.invalid.has('kind')) zoneKinds.set(z.value.id, z.value.kind);
      for (const { extension, section } of sections) errors.push(...extension.validate(section, { zoneKinds }));
      if (errors.length > 0 || prepared === undefined) throw invalidTopology(errors);
      const doc = toDocument(parsed);
      const hashes = new Map(prepared.supplied);
      const secrets: Record<string, string> = {};
      for (const d of doc.devices) {
        if (current.devices.has(d.id) || d.secret !== undefined) continue;
        const generated = prepared.generated.get(d.id) ?? (await generateDeviceSecret());
        hashes.set(d.id, generated.hash);
        secrets[d.id] = generated.secret;
      }
      const plan = planTopology(doc, current, hashes);
      await writeTopology(em, plan);
      const applied: Record<string, { created: number; updated: number }> & Record<TopologyKey, KindCounts> = {
        zones: counts(plan.zones),
        lanes: counts(plan.lanes),
        bays: counts(plan.bays),
        devices: counts(plan.devices),
        failoverGroups: counts(plan.failoverGroups),
      };
      const at = Date.now();
      for (const { extension, section } of sections) applied[extension.key] = await extension.apply(em, section, at);
      note.details['applied'] = applied;
      note.details['secretsGenerated'] = Object.keys(secrets).length;
      return { result: { applied, secrets }, events: await changeEvents(em, plan, current) };
    });
    await this.publisher.publish(outcome.events);
    return outcome.result;
  }

  /** The registry as a document PUT /topology accepts (no secrets), read in one consistent snapshot. */
  async export(principal: Principal): Promise<TopologyExport> {
    assertUnscoped(principal, 'GET /topology');
    return this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const doc: Record<string, unknown> = { ...exportTopology(await loadAllRows(em)) };
      for (const extension of this.extensions) doc[extension.key] = await extension.export(em);
      return doc as TopologyExport;
    });
  }

  private async prepareSecrets(parsed: ParsedTopology): Promise<PreparedSecrets> {
    const devices = parsed.devices.map((d) => d.value);
    const rows: Array<{ id: string; secret_hash: string }> = await this.dataSource.query(
      'SELECT id, secret_hash FROM devices WHERE id = ANY($1::text[])',
      [devices.map((d) => d.id)],
    );
    const existing = new Map(rows.map((r) => [r.id, r.secret_hash]));
    const withSecret = devices.filter((d): d is TopologyDevice & { secret: string } => d.secret !== undefined);
    const supplied = await mapLimit(withSecret, 4, async (d): Promise<[string, string]> => {
      const hash = existing.get(d.id);
      if (hash !== undefined && (await this.hasher.verify(hash, d.secret))) return [d.id, hash];
      return [d.id, await this.hasher.hash(d.secret)];
    });
    const fresh = devices.filter((d) => d.secret === undefined && !existing.has(d.id));
    const generated = await mapLimit(fresh, 8, async (d): Promise<[string, GeneratedSecret]> => [d.id, await generateDeviceSecret()]);
    return { supplied: new Map(supplied), generated: new Map(generated) };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalidTopology(errors: readonly TopologyError[]): DomainError {
  // `error` in details replaces the code in the body: {statusCode: 400, error: 'invalid-topology', message, errors}.
  return new DomainError('invalid', `the topology document has ${errors.length} error(s); nothing was applied`, {
    error: 'invalid-topology',
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
    errorCount: errors.length,
  });
}

function toDocument(parsed: ParsedTopology): TopologyDocument {
  return {
    zones: parsed.zones.map((p) => p.value),
    lanes: parsed.lanes.map((p) => p.value),
    bays: parsed.bays.map((p) => p.value),
    devices: parsed.devices.map((p) => p.value),
    failoverGroups: parsed.failoverGroups.map((p) => p.value),
  };
}

/** The registry events of an applied plan, from the rows as written (read back in the transaction). */
async function changeEvents(em: EntityManager, plan: TopologyPlan, before: CurrentRows): Promise<RegistryEvent[]> {
  const events: RegistryEvent[] = [];
  const created = (ids: readonly string[]): Set<string> => new Set(ids);
  const zonesCreated = created(plan.zones.created);
  for (const z of await findByIds(em, ZoneEntity, [...plan.zones.created, ...plan.zones.updated])) {
    events.push(registryEvents.zoneChanged(toZoneView(z), zonesCreated.has(z.id)));
  }
  for (const d of await findByIds(em, DeviceEntity, [...plan.devices.created, ...plan.devices.updated])) {
    const after = toDeviceView(d);
    const previous = before.devices.get(d.id);
    if (previous === undefined) {
      events.push(registryEvents.deviceRegistered(after));
    } else {
      const changed = changedDeviceFields(toDeviceView(previous), after);
      if (changed.length > 0) events.push(registryEvents.deviceUpdated(after, changed));
    }
  }
  const groupsCreated = created(plan.failoverGroups.created);
  for (const g of await findByIds(em, FailoverGroupEntity, [...plan.failoverGroups.created, ...plan.failoverGroups.updated])) {
    events.push(registryEvents.failoverGroupChanged(toFailoverGroupView(g), groupsCreated.has(g.id)));
  }
  return events;
}
