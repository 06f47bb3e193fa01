import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';

/**
 * Generated device secrets: 32 random bytes (256 bits), base64url. Their entropy, not the hash's
 * cost, is what protects them, so they are hashed with argon2id at a light setting (t=1, 1 MiB,
 * about 1 ms) instead of the password setting (about 50 ms): a topology document that registers
 * thousands of devices hashes in seconds, not minutes. The PHC string carries its parameters, so
 * device login (libs/auth, argon2.verify) checks it like any other hash. Secrets an admin
 * *chooses* (topology `secret`) may be weak and are hashed with the full PasswordHasher setting.
 */
export const GENERATED_SECRET_HASH_OPTIONS = Object.freeze({ timeCost: 1, memoryCost: 1024, parallelism: 1 });

export interface GeneratedSecret {
  readonly secret: string;
  readonly hash: string;
}

export async function generateDeviceSecret(): Promise<GeneratedSecret> {
  const secret = randomBytes(32).toString('base64url');
  const hash = await argon2.hash(secret, { type: argon2.argon2id, ...GENERATED_SECRET_HASH_OPTIONS });
  return { secret, hash };
}
