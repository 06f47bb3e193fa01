import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type EntityManager, type Repository } from 'typeorm';
import type { Role } from '@landside/contracts';
import { PasswordHasher } from '../credentials/password-hasher';
import { UserEntity } from '../entities/user.entity';

/** Roles a password account may have: devices authenticate with their own secret instead. */
export const USER_ROLES = ['DRIVER', 'OPERATOR', 'ADMIN'] as const satisfies readonly Role[];
export type UserRole = (typeof USER_ROLES)[number];

export const MIN_PASSWORD_LENGTH = 8;
/** Bounds the work one login can cause; argon2 itself has no practical limit. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Letters of any script (drivers are identified by plates such as `12가3456`), digits, `._@-`. */
const USERNAME = /^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$/u;

export interface CreateUserInput {
  readonly username: string;
  readonly password: string;
  readonly role: UserRole;
  /** Zone scope; omitted or null for every zone. */
  readonly zones?: readonly string[] | null;
}

/** A user as shown to other code and (later) the REST API: never the password hash. */
export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly zones: readonly string[] | null;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly hasher: PasswordHasher,
  ) {}

  /** Creates a password account; 400 for invalid input, 409 when the username is taken. */
  async create(input: CreateUserInput, manager?: EntityManager): Promise<UserView> {
    const problems = validate(input);
    if (problems.length > 0) throw new BadRequestException(problems);
    const repo = manager ? manager.getRepository(UserEntity) : this.users;
    if (await repo.existsBy({ username: input.username })) throw usernameTaken(input.username);
    const passwordHash = await this.hasher.hash(input.password);
    try {
      const saved = await repo.save(
        repo.create({ username: input.username, passwordHash, role: input.role, zones: input.zones ? [...input.zones] : null }),
      );
      return toView(saved);
    } catch (err) {
      // Lost a race with a concurrent create of the same name.
      if (isUniqueViolation(err)) throw usernameTaken(input.username);
      throw err;
    }
  }

  async findByUsername(username: string): Promise<UserView | undefined> {
    const user = await this.users.findOneBy({ username });
    return user ? toView(user) : undefined;
  }

  count(manager?: EntityManager): Promise<number> {
    return (manager ? manager.getRepository(UserEntity) : this.users).count();
  }
}

export function toView(user: UserEntity): UserView {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    zones: user.zones,
    disabled: user.disabled,
    createdAt: user.createdAt,
  };
}

function validate(input: CreateUserInput): string[] {
  const problems: string[] = [];
  if (typeof input.username !== 'string' || !USERNAME.test(input.username)) {
    problems.push('username must be 1-64 letters, digits or ._@- and start with a letter or digit');
  }
  if (typeof input.password !== 'string' || input.password.length < MIN_PASSWORD_LENGTH || input.password.length > MAX_PASSWORD_LENGTH) {
    problems.push(`password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`);
  }
  if (!(USER_ROLES as readonly string[]).includes(input.role)) problems.push(`role must be one of ${USER_ROLES.join(', ')}`);
  const zones: unknown = input.zones;
  if (zones !== undefined && zones !== null && !(Array.isArray(zones) && zones.every((z) => typeof z === 'string' && z.length > 0))) {
    problems.push('zones must be an array of zone ids');
  }
  return problems;
}

const usernameTaken = (username: string): ConflictException =>
  new ConflictException({ statusCode: 409, error: 'username-taken', message: `username ${username} is taken` });

export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) return false;
  const driverError: unknown = err.driverError;
  return typeof driverError === 'object' && driverError !== null && (driverError as { code?: unknown }).code === '23505';
}
