/**
 * Consistency checks of a parsed topology document against the database, pure: duplicate ids,
 * references to entities in neither the document nor the database, parent cycles (zones and
 * devices), lanes and failover members in the right zone. The checks are made on the state the
 * database would have after the apply (database rows overlaid with the document's entities).
 */
import type { Parsed, ParsedTopology } from './topology-parser';
import type { TopologyError } from './topology-document';
import type { TopologySnapshot } from './topology-snapshot';

const missing = (kind: string, id: string): string => `${kind} '${id}' not in document or database`;

export function checkTopology(doc: ParsedTopology, db: TopologySnapshot): TopologyError[] {
  const errors: TopologyError[] = [];
  const err = (path: string, message: string): void => {
    errors.push({ path, message });
  };
  const usable = <T>(p: Parsed<T>, field: string): boolean => !p.invalid.has(field);

  const zones = firstById(doc.zones, 'zones', err);
  const lanes = firstById(doc.lanes, 'lanes', err);
  firstById(doc.bays, 'bays', err);
  const devices = firstById(doc.devices, 'devices', err);
  const groups = firstById(doc.failoverGroups, 'failoverGroups', err);

  // The state after the apply, as far as the checks need it.
  const zoneParent = new Map<string, string | null>([...db.zones].map(([id, z]) => [id, z.parentId]));
  for (const [id, z] of zones) zoneParent.set(id, z.value.parentId);
  const laneZone = new Map<string, string>([...db.lanes].map(([id, l]) => [id, l.zoneId]));
  for (const [id, l] of lanes) laneZone.set(id, l.value.zoneId);
  const deviceAfter = new Map<string, { zoneId: string | null; parentId: string | null; laneId: string | null }>(db.devices);
  for (const [id, d] of devices) deviceAfter.set(id, { zoneId: d.value.zoneId, parentId: d.value.parentId, laneId: d.value.laneId });

  for (const z of zones.values()) {
    const parentId = z.value.parentId;
    if (parentId !== null && usable(z, 'parentId') && !zoneParent.has(parentId)) err(`${z.path}.parentId`, missing('zone', parentId));
  }
  reportCycles([...zones.values()], (id) => zoneParent.get(id), err);

  for (const l of lanes.values()) {
    if (usable(l, 'zoneId') && !zoneParent.has(l.value.zoneId)) err(`${l.path}.zoneId`, missing('zone', l.value.zoneId));
    const before = db.lanes.get(l.value.id);
    if (before !== undefined && before.zoneId !== l.value.zoneId && usable(l, 'zoneId')) {
      // Devices the document leaves alone must stay in their lane's zone.
      const stranded = [...db.devices].filter(([id, d]) => d.laneId === l.value.id && !devices.has(id) && d.zoneId !== l.value.zoneId);
      if (stranded.length > 0) {
        const [id, d] = stranded[0]!;
        err(`${l.path}.zoneId`, `lane would move to zone '${l.value.zoneId}' but device '${id}' (zone '${d.zoneId ?? '(none)'}') uses it${stranded.length > 1 ? ` (and ${stranded.length - 1} more)` : ''}`);
      }
    }
  }

  for (const b of doc.bays) {
    if (usable(b, 'zoneId') && !zoneParent.has(b.value.zoneId)) err(`${b.path}.zoneId`, missing('zone', b.value.zoneId));
    const cameraId = b.value.cameraId;
    if (cameraId !== null && usable(b, 'cameraId') && !deviceAfter.has(cameraId)) err(`${b.path}.cameraId`, missing('device', cameraId));
  }

  const memberOf = new Map<string, { groupId: string; zoneId: string }>();
  for (const [groupId, g] of db.failoverGroups) {
    if (groups.has(groupId)) continue;
    for (const m of g.members) memberOf.set(m, { groupId, zoneId: g.zoneId });
  }
  for (const d of devices.values()) {
    const v = d.value;
    const zoneOk = usable(d, 'zoneId');
    if (zoneOk && !zoneParent.has(v.zoneId)) err(`${d.path}.zoneId`, missing('zone', v.zoneId));
    if (v.laneId !== null && usable(d, 'laneId')) {
      const zoneOfLane = laneZone.get(v.laneId);
      if (zoneOfLane === undefined) err(`${d.path}.laneId`, missing('lane', v.laneId));
      else if (zoneOk && zoneOfLane !== v.zoneId) err(`${d.path}.laneId`, `lane '${v.laneId}' is in zone '${zoneOfLane}', not '${v.zoneId}'`);
    }
    if (v.parentId !== null && usable(d, 'parentId') && !deviceAfter.has(v.parentId)) err(`${d.path}.parentId`, missing('device', v.parentId));
    const group = memberOf.get(v.id);
    if (group !== undefined && zoneOk && group.zoneId !== v.zoneId) {
      err(`${d.path}.zoneId`, `device is a member of failover group '${group.groupId}' of zone '${group.zoneId}'`);
    }
  }
  reportCycles([...devices.values()], (id) => deviceAfter.get(id)?.parentId, err);

  for (const g of groups.values()) {
    const zoneOk = usable(g, 'zoneId');
    if (zoneOk && !zoneParent.has(g.value.zoneId)) err(`${g.path}.zoneId`, missing('zone', g.value.zoneId));
    g.value.members.forEach((m, i) => {
      if (!usable(g, `members[${i}]`)) return;
      const device = deviceAfter.get(m);
      if (device === undefined) err(`${g.path}.members[${i}]`, missing('device', m));
      else if (zoneOk && device.zoneId !== g.value.zoneId) {
        err(`${g.path}.members[${i}]`, `device '${m}' is in zone '${device.zoneId ?? '(none)'}', not '${g.value.zoneId}'`);
      }
    });
  }
  return errors;
}

/** The first entry per id; later ones are reported as duplicates. Entries without a usable id are skipped. */
function firstById<T extends { readonly id: string }>(
  entries: ReadonlyArray<Parsed<T>>,
  key: string,
  err: (path: string, message: string) => void,
): Map<string, Parsed<T>> {
  const byId = new Map<string, Parsed<T>>();
  for (const e of entries) {
    if (e.invalid.has('id')) continue;
    const first = byId.get(e.value.id);
    if (first !== undefined) err(`${e.path}.id`, `duplicate id '${e.value.id}' (first at ${key}[${first.index}])`);
    else byId.set(e.value.id, e);
  }
  return byId;
}

/**
 * Reports each parent cycle once, at the first document entry on it (the database alone has no
 * cycles, so every cycle goes through an entry of the document).
 */
function reportCycles<T extends { readonly id: string }>(
  entries: ReadonlyArray<Parsed<T>>,
  parentOf: (id: string) => string | null | undefined,
  err: (path: string, message: string) => void,
): void {
  const entryOf = new Map(entries.map((e) => [e.value.id, e]));
  const done = new Set<string>();
  for (const start of entries) {
    const path: string[] = [];
    const position = new Map<string, number>();
    let current: string | null | undefined = start.value.id;
    while (current !== null && current !== undefined && !done.has(current)) {
      const seen = position.get(current);
      if (seen !== undefined) {
        const cycle = path.slice(seen);
        const first = cycle
          .map((id) => entryOf.get(id))
          .filter((e): e is Parsed<T> => e !== undefined)
          .sort((a, b) => a.index - b.index)[0];
        if (first !== undefined) {
          const from = cycle.indexOf(first.value.id);
          const ordered = [...cycle.slice(from), ...cycle.slice(0, from), first.value.id];
          err(`${first.path}.parentId`, `parent cycle: ${ordered.join(' -> ')}`);
        }
        break;
      }
      position.set(current, path.length);
      path.push(current);
      current = parentOf(current);
    }
    for (const id of path) done.add(id);
  }
}
