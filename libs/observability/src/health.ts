/**
 * Liveness and readiness. Live: the process answers. Ready: its dependencies answer — the
 * database (`SELECT 1` on the TypeORM DataSource, when the app has one) plus any check another
 * lib registers (e.g. the Redis bus) through ReadinessChecks. Each check has a deadline, so a
 * stuck dependency makes the app unready instead of hanging the probe.
 */
import { Controller, Get, Header, HttpException, HttpStatus, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';

export type ReadinessCheck = () => Promise<void>;

export const READINESS_TIMEOUT_MS = 3000;

/** Registry of extra readiness checks, by name (shown in the response's `checks`). */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    if (name === 'database') throw new Error('"database" is the built-in DataSource check');
    this.checks.set(name, check);
  }

  remove(name: string): void {
    this.checks.delete(name);
  }

  entries(): Array<[string, ReadinessCheck]> {
    return [...this.checks.entries()];
  }
}

export interface ReadinessReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, 'up' | 'down'>;
  error?: string;
  errors?: Record<string, string>;
}

/** Runs the checks; plain function so it is testable and reusable outside HTTP. */
export async function checkReadiness(
  dataSource: DataSource | undefined,
  extra: ReadonlyArray<[string, ReadinessCheck]>,
  timeoutMs = READINESS_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const all: Array<[string, ReadinessCheck]> = [];
  if (dataSource !== undefined) {
    all.push([
      'database',
      async () => {
        if (!dataSource.isInitialized) throw new Error('database connection is not initialized');
        await dataSource.query('SELECT 1');
      },
    ]);
  }
  all.push(...extra);

  const results = await Promise.all(
    all.map(async ([name, check]) => {
      try {
        await withDeadline(check(), timeoutMs, name);
        return [name, undefined] as const;
      } catch (e) {
        return [name, e instanceof Error ? e.message : String(e)] as const;
      }
    }),
  );
  const report: ReadinessReport = { status: 'ok', checks: {} };
  const errors: Record<string, string> = {};
  for (const [name, error] of results) {
    report.checks[name] = error === undefined ? 'up' : 'down';
    if (error !== undefined) errors[name] = error;
  }
  const failed = Object.keys(errors);
  if (failed.length > 0) {
    report.status = 'unavailable';
    report.error = failed.map((n) => `${n}: ${errors[n]}`).join('; ');
    report.errors = errors;
  }
  return report;
}

async function withDeadline<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} check timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly extraChecks: ReadinessChecks,
    @Optional() private readonly dataSource?: DataSource,
  ) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  async ready(): Promise<ReadinessReport> {
    const report = await checkReadiness(this.dataSource, this.extraChecks.entries());
    if (report.status !== 'ok') throw new HttpException(report, HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
