/**
 * The rule engine on its own. That the device DTOs' rules match their decorators is checked
 * against class-validator itself in libs/messaging/src/routing/validate-body.spec.ts.
 */
import 'reflect-metadata';
import { CommandResultDto, CreateCommandDto, DeviceEventDto, HeartbeatDto } from './device';
import { constraint, isSelfValidating, plainValidator, type FieldRules } from './plain-validation';

class Probe {
  name!: string;
  kind?: 'a' | 'b';
  size?: number;
  extra?: unknown;
}

const check = plainValidator<Probe>(Probe, {
  name: { constraints: [constraint.maxLength(3), constraint.isString] },
  kind: { optional: true, constraints: [constraint.isIn(['a', 'b'])] },
  size: { when: (p) => p.kind === 'b', constraints: [constraint.max(9), constraint.isInt] },
  extra: { constraints: [] },
} satisfies FieldRules<Probe>);

describe('plainValidator', () => {
  it('accepts into a new instance of the class, copying nested objects', () => {
    const nested = { deep: [{ x: 1 }] };
    const result = check({ name: 'abc', extra: nested });
    expect(result.ok).toBe(true);
    const value = (result as { value: Probe }).value;
    expect(value).toBeInstanceOf(Probe);
    expect(value.extra).toStrictEqual(nested);
    expect(value.extra).not.toBe(nested);
    expect((value.extra as typeof nested).deep[0]).not.toBe(nested.deep[0]);
  });

  it('reports unknown keys first, then every failing constraint per rule in rule order', () => {
    expect(check({ size: 'x', name: 12345, zz: 1, kind: 'b' })).toEqual({
      ok: false,
      fields: {
        zz: ['property zz should not exist'],
        name: ['name must be shorter than or equal to 3 characters', 'name must be a string'],
        size: ['size must not be greater than 9', 'size must be an integer number'],
      },
    });
  });

  it('skips an optional rule for null or undefined, and a conditional rule when its condition is false', () => {
    expect(check({ name: 'a', kind: null, size: 'not checked' })).toMatchObject({ ok: true, value: { kind: null, size: 'not checked' } });
    expect(check({ name: 'a', kind: 'a', size: 'not checked' }).ok).toBe(true);
    expect(check({ name: 'a', kind: 'c' })).toEqual({ ok: false, fields: { kind: ['kind must be one of the following values: a, b'] } });
  });

  it('drops the keys class-transformer drops, at every depth, instead of refusing them', () => {
    const plain = JSON.parse('{"name":"a","__proto__":{"polluted":true},"constructor":1,"toString":2,"extra":{"valueOf":3,"constructor":{"x":1},"y":4}}') as Record<string, unknown>;
    const result = check(plain);
    expect(result).toMatchObject({ ok: true });
    const value = (result as { value: Probe }).value;
    expect(Object.keys(value)).not.toContain('toString');
    expect(Object.getPrototypeOf(value)).toBe(Probe.prototype);
    expect(value.extra).toStrictEqual({ y: 4 });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('isSelfValidating', () => {
  it('is true for the device DTOs and false for a DTO checked by its decorators only', () => {
    for (const dto of [HeartbeatDto, DeviceEventDto, CommandResultDto]) expect(isSelfValidating<object>(dto)).toBe(true);
    expect(isSelfValidating(CreateCommandDto)).toBe(false);
  });
});
