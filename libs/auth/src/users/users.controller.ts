import { Body, Controller, Get, Ip, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import type { Principal } from '@landside/contracts';
import { recordAudit } from '@landside/persistence';
import { CurrentPrincipal } from '../http/current-principal.decorator';
import { Authenticated } from '../http/roles.decorator';
import { UserEntity } from '../entities';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, USER_ROLES, UsersService, toView, type UserRole, type UserView } from './users.service';

class CreateUserDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH)
  @MaxLength(MAX_PASSWORD_LENGTH)
  password!: string;

  @IsIn(USER_ROLES)
  role!: UserRole;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  zones?: string[];
}

class UserListQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** The last username of the previous page. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;
}

/** SPEC §8 `GET/POST /users` (admins): accounts are created with a role and an optional zone scope. */
@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly db: DataSource,
  ) {}

  @Get()
  @Authenticated('ADMIN')
  async list(@Query() query: UserListQuery): Promise<{ items: UserView[]; nextCursor: string | null }> {
    const limit = query.limit ?? 100;
    const qb = this.db.getRepository(UserEntity).createQueryBuilder('u').orderBy('u.username', 'ASC').take(limit + 1);
    if (query.cursor) qb.where('u.username > :cursor', { cursor: query.cursor });
    const rows = await qb.getMany();
    const items = rows.slice(0, limit).map(toView);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.username : null };
  }

  @Post()
  @Authenticated('ADMIN')
  create(@Body() body: CreateUserDto, @CurrentPrincipal() by: Principal, @Ip() ip: string): Promise<UserView> {
    return this.db.transaction(async (em) => {
      const user = await this.users.create(body, em);
      await recordAudit(em, {
        actor: by.sub,
        role: by.role,
        action: 'user.created',
        target: user.username,
        sourceAddress: ip,
        outcome: 'ok',
        details: { role: user.role, zones: user.zones },
      });
      return user;
    });
  }
}
