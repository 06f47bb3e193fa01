import { DispatchError } from './errors';
import {
  DEFAULT_PRIORITY_WINDOW_MIN,
  RESERVED_QUEUES,
  isDispatchMode,
  normalizeRegion,
  type StandConfig,
  type StandConfigInput,
  type StandConfigPatch,
} from './types';

/** Checks and normalises a stand configuration (regions upper-case, defaults filled). @throws DispatchError `invalid` with `fields` */
export function validateConfig(input: StandConfigInput): StandConfig {
  const fields: Record<string, string[]> = {};
  const fail = (field: string, message: string): void => {
    (fields[field] ??= []).push(message);
  };
  if (typeof input.zoneId !== 'string' || input.zoneId.trim() === '') fail('zoneId', 'required');
  if (!isDispatchMode(input.mode)) fail('mode', 'must be REGIONAL, DRIVER_SELECTED or SINGLE_QUEUE');
  const regions = Array.isArray(input.regions) ? input.regions.map((r) => (typeof r === 'string' ? normalizeRegion(r) : '')) : [];
  if (!Array.isArray(input.regions)) fail('regions', 'must be a list');
  if (regions.some((r) => r === '')) fail('regions', 'a region name cannot be empty');
  if (new Set(regions).size !== regions.length) fail('regions', 'regions must be unique');
  if (regions.some((r) => RESERVED_QUEUES.includes(r))) fail('regions', `${RESERVED_QUEUES.join(' and ')} are reserved`);
  if (regions.length === 0 && input.mode !== 'SINGLE_QUEUE') fail('regions', `${String(input.mode)} needs at least one region`);
  if (!Number.isInteger(input.curbTarget) || input.curbTarget < 1) fail('curbTarget', 'must be an integer ≥ 1');
  const priorityWindowMin = input.priorityWindowMin ?? DEFAULT_PRIORITY_WINDOW_MIN;
  if (typeof priorityWindowMin !== 'number' || !Number.isFinite(priorityWindowMin) || priorityWindowMin <= 0) fail('priorityWindowMin', 'must be a number > 0');
  const near = input.nearDistanceKm;
  if (near !== undefined && (typeof near !== 'number' || !Number.isFinite(near) || near < 0)) fail('nearDistanceKm', 'must be a number ≥ 0');
  if (input.nearQueue !== undefined && typeof input.nearQueue !== 'boolean') fail('nearQueue', 'must be a boolean');
  if (Object.keys(fields).length > 0) throw new DispatchError('invalid', `invalid stand configuration: ${Object.keys(fields).join(', ')}`, { fields });
  return {
    zoneId: input.zoneId,
    mode: input.mode,
    regions,
    curbTarget: input.curbTarget,
    nearQueue: input.nearQueue ?? false,
    priorityWindowMin,
    ...(near === undefined ? {} : { nearDistanceKm: near }),
  };
}

export function sameConfig(a: StandConfig, b: StandConfig): boolean {
  return (
    a.zoneId === b.zoneId &&
    a.mode === b.mode &&
    a.curbTarget === b.curbTarget &&
    a.nearQueue === b.nearQueue &&
    a.priorityWindowMin === b.priorityWindowMin &&
    a.nearDistanceKm === b.nearDistanceKm &&
    a.regions.length === b.regions.length &&
    a.regions.every((r, i) => b.regions[i] === r)
  );
}

function withoutNearDistance(config: StandConfigInput): StandConfigInput {
  const { nearDistanceKm: _drop, ...rest } = config;
  return rest;
}

function stripUndefined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The configuration after a PATCH; `nearDistanceKm: null` removes it. @throws DispatchError `invalid` */
export function applyPatch(config: StandConfig, patch: StandConfigPatch): StandConfig {
  const { nearDistanceKm, ...rest } = patch;
  const merged: StandConfigInput = { ...config, ...stripUndefined(rest) };
  const next: StandConfigInput =
    nearDistanceKm === null ? withoutNearDistance(merged) : nearDistanceKm === undefined ? merged : { ...merged, nearDistanceKm };
  return validateConfig(next);
}
