import { isBoolean, isIn, isInt, isISO8601, isNumber, isString, max, maxLength, min, minLength } from 'class-validator';
import type { IsNumberOptions, ValidatorOptions } from 'class-validator';

/**
 * Hand-written validation of plain JSON bodies, for DTOs on the per-frame hot path (a heartbeat
 * per device every few seconds). `plainToInstance` + `validate` cost ~11 µs of the ~42 µs a
 * heartbeat takes (bench/RESULTS.md): metadata look-ups per key, ValidationError objects, a
 * promise per call. A DTO's `FieldRules` state its decorators once more as data; a property test
 * (libs/messaging/src/routing/validate-body.spec.ts) checks that both accept and refuse the same
 * bodies with the same messages, and the decorators stay the reference (OpenAPI, the fallback).
 *
 * What is mirrored, for `plainToInstance(Dto, plain)` then `validate(instance, BODY_VALIDATOR_OPTIONS)`:
 * - The instance is `new Dto()` with every key of the body copied (objects and arrays copied
 *   too), except the keys class-transformer skips at every depth — `__proto__`, `constructor`
 *   and the names of inherited methods (`toString`, `hasOwnProperty`, ...): those are dropped
 *   silently, never refused.
 * - Keys without a rule are refused first (`property x should not exist`), in key order, as
 *   `forbidNonWhitelisted` does.
 * - Then each rule in declaration order: skipped when `optional` (@IsOptional) and the value is
 *   null or undefined, or when `when` (@ValidateIf) is false; otherwise every failing constraint
 *   adds its message. The primitive checks are class-validator's own functions.
 */

/** The options validateBody gives class-validator; the rules here mirror them. */
export const BODY_VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
});

/** A parsed JSON object body (never an array). */
export type PlainObject = Readonly<Record<string, unknown>>;

/** Property path -> messages, as validateBody reports them in `detail.fields`. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly fields: Record<string, string[]> };

/** One decorator's check and the default message class-validator gives it. */
export interface Constraint {
  readonly test: (value: unknown) => boolean;
  readonly message: (property: string) => string;
}

export interface FieldRule<T> {
  /** @IsOptional(): no check when the value is null or undefined. */
  readonly optional?: boolean;
  /** @ValidateIf(when): no check unless it holds for the instance. */
  readonly when?: (dto: T) => boolean;
  /** In the order class-validator reports them: the decorator nearest the property first. */
  readonly constraints: readonly Constraint[];
}

/** A rule for every declared property and no other: a missing or extra one is a compile error. */
export type FieldRules<T> = { readonly [K in keyof T]-?: FieldRule<T> };

/** A DTO class that validates plain bodies itself; validateBody prefers it to class-validator. */
export interface SelfValidatingDto<T extends object> {
  new (): T;
  check(plain: PlainObject): ValidationResult<T>;
}

export function isSelfValidating<T extends object>(dto: new () => T): dto is SelfValidatingDto<T> {
  return typeof (dto as Partial<SelfValidatingDto<T>>).check === 'function';
}

/** Constraints named after the decorators they mirror. */
export const constraint = {
  isInt: rule(isInt, (p) => `${p} must be an integer number`),
  isNumber: (options: IsNumberOptions = {}): Constraint =>
    rule((v) => isNumber(v, options), (p) => `${p} must be a number conforming to the specified constraints`),
  isString: rule(isString, (p) => `${p} must be a string`),
  isBoolean: rule(isBoolean, (p) => `${p} must be a boolean value`),
  min: (bound: number): Constraint => rule((v) => min(v, bound), (p) => `${p} must not be less than ${bound}`),
  max: (bound: number): Constraint => rule((v) => max(v, bound), (p) => `${p} must not be greater than ${bound}`),
  minLength: (n: number): Constraint => rule((v) => minLength(v, n), (p) => `${p} must be longer than or equal to ${n} characters`),
  maxLength: (n: number): Constraint => rule((v) => maxLength(v, n), (p) => `${p} must be shorter than or equal to ${n} characters`),
  isIn: (values: readonly unknown[]): Constraint =>
    rule((v) => isIn(v, values), (p) => `${p} must be one of the following values: ${values.join(', ')}`),
  isISO8601: (options: Parameters<typeof isISO8601>[1] = {}): Constraint =>
    rule((v) => isISO8601(v, options), (p) => `${p} must be a valid ISO 8601 date string`),
  /** A custom decorator's validate() and message, shared with the decorator. */
  custom: rule,
} as const;

function rule(test: (value: unknown) => boolean, message: (property: string) => string): Constraint {
  return { test, message };
}

/**
 * The `check` of a DTO class from its rules. Rules are walked as a precomputed list, and the error
 * record is only allocated for a refusal: a valid body costs the instance and nothing else.
 */
export function plainValidator<T extends object>(dto: new () => T, rules: FieldRules<T>): (plain: PlainObject) => ValidationResult<T> {
  const entries = Object.entries(rules) as Array<[string, FieldRule<T>]>;
  const declared = new Set(entries.map(([property]) => property));
  return (plain) => {
    const instance = copyInto(new dto(), plain);
    let fields: Record<string, string[]> | undefined;
    for (const key of Object.keys(instance)) {
      if (!declared.has(key)) (fields ??= {})[key] = [`property ${key} should not exist`];
    }
    for (const [property, fieldRule] of entries) {
      const messages = failures(fieldRule, instance, property);
      if (messages !== undefined) (fields ??= {})[property] = messages;
    }
    return fields === undefined ? { ok: true, value: instance } : { ok: false, fields };
  };
}

function failures<T extends object>(fieldRule: FieldRule<T>, instance: T, property: string): string[] | undefined {
  const value = (instance as Record<string, unknown>)[property];
  if (fieldRule.optional && (value === null || value === undefined)) return undefined;
  if (fieldRule.when && !fieldRule.when(instance)) return undefined;
  let messages: string[] | undefined;
  for (const c of fieldRule.constraints) {
    if (!c.test(value)) (messages ??= []).push(c.message(property));
  }
  return messages;
}

/** class-transformer's plain-to-class copy for a class without @Type/@Expose/@Transform. */
function copyInto<T extends object>(target: T, plain: PlainObject): T {
  for (const key of Object.keys(plain)) {
    if (!skipsKey(target, key)) (target as Record<string, unknown>)[key] = copyJson(plain[key]);
  }
  return target;
}

function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => copyJson(item));
  if (value !== null && typeof value === 'object') return copyInto({}, value as PlainObject);
  return value;
}

/**
 * The keys class-transformer does not copy onto `target`: the two it names, and whatever the
 * target's prototype defines without a setter or the target inherits as a method. (It crashes on
 * a nested object whose `constructor` key holds a truthy value; here that key is dropped too.)
 */
function skipsKey(target: object, key: string): boolean {
  if (key === '__proto__' || key === 'constructor') return true;
  if (!(key in target)) return false;
  const descriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(target) as object, key);
  return (descriptor !== undefined && descriptor.set === undefined) || (target as Record<string, unknown>)[key] instanceof Function;
}
