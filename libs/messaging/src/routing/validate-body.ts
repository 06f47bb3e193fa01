import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { BODY_VALIDATOR_OPTIONS, isSelfValidating, type PlainObject } from '@landside/contracts';
import { MessagingError } from './messaging-error';

/**
 * JSON body -> validated DTO instance, or a MessagingError naming every failing field.
 *
 * Synchronous for a DTO with a static `check` (the device DTOs: one per frame, so no promise and
 * no class-transformer/class-validator on that path): returns the instance or throws. Otherwise a
 * promise, as class-validator's `validate` is async. `await` covers both; a caller on the hot path
 * awaits only when a promise came back.
 */
export function validateBody<T extends object>(dto: new () => T, body: Buffer): T | Promise<T> {
  const plain = parseJsonObject(body);
  if (!isSelfValidating(dto)) return validateWithDecorators(dto, plain);
  const result = dto.check(plain);
  if (!result.ok) throw new MessagingError('validation-failed', { fields: result.fields });
  return result.value;
}

/** The reference path: class-transformer, then class-validator with the DTO's decorators. */
export async function validateWithDecorators<T extends object>(dto: new () => T, plain: PlainObject): Promise<T> {
  let instance: T;
  try {
    instance = plainToInstance(dto, plain);
  } catch (error) {
    // class-transformer throws on some shapes (a nested object whose `constructor` key holds a
    // truthy value: it takes it for a class) — the body's fault, refused like any other bad body
    throw new MessagingError('validation-failed', `body could not be read: ${(error as Error).message}`);
  }
  const errors = await validate(instance, BODY_VALIDATOR_OPTIONS);
  if (errors.length > 0) {
    throw new MessagingError('validation-failed', { fields: flatten(errors) });
  }
  return instance;
}

function parseJsonObject(body: Buffer): PlainObject {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new MessagingError('invalid-json', `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MessagingError('validation-failed', 'body must be a JSON object');
  }
  return parsed as PlainObject;
}

function flatten(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) out[path] = Object.values(error.constraints);
    if (error.children && error.children.length > 0) Object.assign(out, flatten(error.children, path));
  }
  return out;
}
