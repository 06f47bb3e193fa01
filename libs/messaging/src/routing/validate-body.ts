import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { MessagingError } from './messaging-error';

/** JSON body -> validated DTO instance, or a MessagingError naming every failing field. */
export async function validateBody<T extends object>(dto: new () => T, body: Buffer): Promise<T> {
  let parsed: unknown;
  try {
    parsed = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new MessagingError('invalid-json', `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MessagingError('validation-failed', 'body must be a JSON object');
  }
  const instance = plainToInstance(dto, parsed);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new MessagingError('validation-failed', { fields: flatten(errors) });
  }
  return instance;
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
