import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const JWT_SECRET_FILE = 'jwt-secret';
/** A kept secret shorter than this was not written by us (or was truncated): refuse it. */
const MIN_SECRET_LENGTH = 32;

/**
 * The embedded deployment's HS256 secret: read `${dataDir}/jwt-secret`, or generate 48 random
 * bytes (base64url) there with mode 0600 on first start. Reusing it across restarts keeps issued
 * tokens (and devices' sessions) valid. The new secret is written to a private temp file and
 * hard-linked into place, which is atomic and fails if the file exists: two processes starting
 * at once agree on one secret, and no one ever reads a half-written file.
 */
export function resolveJwtSecret(dataDir: string): string {
  const path = join(dataDir, JWT_SECRET_FILE);
  const existing = readSecret(path);
  if (existing !== undefined) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, path);
    return secret;
  } catch (err) {
    // Another process won the race: use its secret.
    if (isErrno(err, 'EEXIST')) return readSecret(path) ?? corrupt(path);
    throw err;
  } finally {
    unlinkSync(temp);
  }
}

function readSecret(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  const secret = text.trim();
  return secret.length < MIN_SECRET_LENGTH ? corrupt(path) : secret;
}

function corrupt(path: string): never {
  throw new Error(
    `JWT secret file ${path} is empty or shorter than ${MIN_SECRET_LENGTH} characters; delete it to generate a new one, or set JWT_SECRET`,
  );
}

/** Duck-typed: errors from node:fs are not `instanceof Error` across realms (e.g. under jest). */
function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
