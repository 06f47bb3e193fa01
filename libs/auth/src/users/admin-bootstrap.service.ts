import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AUTH_OPTIONS, type AuthModuleOptions } from '../auth-options';
import { UsersService } from './users.service';

/**
 * SPEC §9: the first admin is created only when no user exists, with ADMIN_PASSWORD or a
 * generated password that is logged exactly once (it is not stored anywhere in clear).
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AdminBootstrap');

  constructor(
    @Inject(AUTH_OPTIONS) private readonly options: AuthModuleOptions,
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
  }

  /** Creates the first admin if the users table is empty; true when it did. */
  async ensureAdmin(): Promise<boolean> {
    const { username } = this.options.admin;
    // An empty ADMIN_PASSWORD is treated as unset.
    const configured = this.options.admin.password || undefined;
    const password = configured ?? randomBytes(18).toString('base64url');
    const created = await this.dataSource.transaction(async (em) => {
      // Several processes may start on one database at once: the lock makes one of them the creator.
      await em.query('LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE');
      if ((await this.users.count(em)) > 0) return false;
      await this.users.create({ username, password, role: 'ADMIN' }, em);
      return true;
    });
    if (created && configured === undefined) this.logger.log(`Admin login: ${username} / ${password}`);
    return created;
  }
}
