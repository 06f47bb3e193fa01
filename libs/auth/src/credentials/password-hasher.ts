import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';

export interface PasswordHashOptions {
  readonly timeCost: number;
  /** KiB. */
  readonly memoryCost: number;
  readonly parallelism: number;
}

/** OWASP's argon2id baseline (19 MiB, t=2, p=1): ~50 ms, and bounded memory under a login burst. */
export const DEFAULT_PASSWORD_HASH_OPTIONS: PasswordHashOptions = Object.freeze({ timeCost: 2, memoryCost: 19456, parallelism: 1 });

/** DI token: tests override it with a cheap setting; production never sets it. */
export const PASSWORD_HASH_OPTIONS = Symbol('PASSWORD_HASH_OPTIONS');

/**
 * argon2id hashing of passwords and device secrets. Hashes are PHC strings that carry their own
 * parameters, so verification works whatever the current setting, and needsRehash() tells when a
 * stored hash is weaker than today's setting.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly options: PasswordHashOptions;
  private dummy: Promise<string> | undefined;

  constructor(@Optional() @Inject(PASSWORD_HASH_OPTIONS) options?: PasswordHashOptions) {
    this.options = options ?? DEFAULT_PASSWORD_HASH_OPTIONS;
  }

  /** Prepare the dummy hash up front, so the first unknown-user login is not measurably slower. */
  async onModuleInit(): Promise<void> {
    await this.dummyHash();
  }

  hash(plain: string): Promise<string> {
    return argon2.hash(plain, { type: argon2.argon2id, ...this.options });
  }

  /** False for a wrong secret and for a malformed stored hash alike. */
  async verify(hash: string, plain: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, plain);
    } catch {
      return false;
    }
  }

  /**
   * Spend the time of one verification when there is no stored hash to check (unknown user or
   * device), so response time does not reveal which names exist.
   */
  async verifyDummy(plain: string): Promise<void> {
    await this.verify(await this.dummyHash(), plain);
  }

  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, this.options);
    } catch {
      return true;
    }
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hash(randomBytes(16).toString('base64url'));
    return this.dummy;
  }
}
