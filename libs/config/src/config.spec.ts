/** loadConfig: defaults, fail-fast errors that name every bad variable, cross-variable rules. */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, CONFIG_VARIABLES, ConfigError, ConfigModule, loadConfig } from './index';

function errorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies the documented defaults (embedded mode)', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.stomp.tcpPort).toBe(61613);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.embedded).toBe(true);
    expect(c.dataDir).toBe('./data');
    expect(c.redisUrl).toBeUndefined();
    expect(c.jwt).toEqual({ secret: undefined, publicKey: undefined, privateKey: undefined, issuer: 'landside', audience: 'landside' });
    expect(c.admin).toEqual({ username: 'admin', password: undefined });
    expect(c.allowedOrigins).toEqual(['http://localhost:3000']);
    expect(c.demo).toBe(true);
    expect(c.logLevel).toBe('info');
    expect(c.stomp).toEqual({
      tcpPort: 61613,
      maxFrameBytes: 65536,
      maxPreconnectFrameBytes: 8192,
      connectTimeoutMs: 10000,
      maxSubscriptions: 32,
      ratePerS: 50,
      rateBurst: 100,
      maxSessionsPerPrincipal: 5,
      heartbeatMs: 10000,
      outboundMaxMessages: 1000,
      outboundMaxBytes: 4194304,
    });
    expect(c.auth).toEqual({ accessTokenTtlS: 900, refreshTokenTtlS: 604800, deviceTokenTtlS: 3600, loginMaxFailures: 5, loginLockoutS: 900 });
    expect(c.devices).toEqual({ disconnectGraceS: 10, escalateAfterS: 300, failbackStableS: 60, commandResultTimeoutS: 30 });
    expect(c.dispatch).toEqual({ noShowS: 180 });
  });

  it('returns a deeply frozen object', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.stomp)).toBe(true);
    expect(Object.isFrozen(c.allowedOrigins)).toBe(true);
  });

  it('reads values, lists and the DATABASE_URL-dependent defaults', () => {
    const c = loadConfig({
      PORT: '8080',
      STOMP_TCP_PORT: '0',
      DATABASE_URL: 'postgres://u:p@db:5432/landside',
      JWT_SECRET: 's3cret',
      REDIS_URL: 'redis://redis:6379',
      ALLOWED_ORIGINS: ' https://ops.example.com , http://localhost:5173/ ',
      LOG_LEVEL: 'debug',
      STOMP_RATE_PER_S: '0',
    });
    expect(c.port).toBe(8080);
    expect(c.stomp.tcpPort).toBe(0);
    expect(c.stomp.ratePerS).toBe(0);
    expect(c.embedded).toBe(false);
    expect(c.demo).toBe(false);
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/landside');
    expect(c.allowedOrigins).toEqual(['https://ops.example.com', 'http://localhost:5173']);
    expect(c.logLevel).toBe('debug');
    expect(loadConfig({ DEMO: 'yes', DATABASE_URL: 'postgresql://db/x', JWT_SECRET: 'x' }).demo).toBe(true);
    expect(loadConfig({ DEMO: '0' }).demo).toBe(false);
  });

  it('treats empty values as unset', () => {
    const c = loadConfig({ DATABASE_URL: '', PORT: '', DEMO: ' ' });
    expect(c.databaseUrl).toBeUndefined();
    expect(c.port).toBe(3000);
    expect(c.demo).toBe(true);
  });

  it('names a bad PORT', () => {
    const err = errorOf({ PORT: 'http' });
    expect(Object.keys(err.problems)).toEqual(['PORT']);
    expect(err.message).toMatch(/PORT: expected a port number/);
    expect(errorOf({ PORT: '70000' }).message).toContain('PORT');
    expect(errorOf({ PORT: '-1' }).message).toContain('PORT');
    expect(errorOf({ PORT: '30.5' }).message).toContain('PORT');
  });

  it('names a bad boolean', () => {
    const err = errorOf({ DEMO: 'maybe' });
    expect(Object.keys(err.problems)).toEqual(['DEMO']);
    expect(err.message).toMatch(/DEMO: expected a boolean/);
  });

  it('names every bad variable in one error', () => {
    const err = errorOf({
      PORT: 'abc',
      DEMO: 'perhaps',
      LOG_LEVEL: 'loud',
      STOMP_MAX_SUBSCRIPTIONS: '-3',
      NO_SHOW_S: '1e3',
      DATABASE_URL: 'mysql://x/y',
      ALLOWED_ORIGINS: 'http://ok.example, not a url, https://x.example/path',
    });
    expect(Object.keys(err.problems).sort()).toEqual(
      ['ALLOWED_ORIGINS', 'DATABASE_URL', 'DEMO', 'LOG_LEVEL', 'NO_SHOW_S', 'PORT', 'STOMP_MAX_SUBSCRIPTIONS'].sort(),
    );
    for (const name of Object.keys(err.problems)) expect(err.message).toContain(`${name}:`);
    expect(err.message).toContain('"not a url"');
    expect(err.message).toContain('"https://x.example/path"');
  });

  it('requires JWT_SECRET with DATABASE_URL unless JWT_PUBLIC_KEY is set', () => {
    const err = errorOf({ DATABASE_URL: 'postgres://db/landside' });
    expect(Object.keys(err.problems)).toEqual(['JWT_SECRET']);
    expect(err.message).toMatch(/JWT_SECRET: missing/);

    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pub = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const priv = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    // one-line form with literal \n escapes, as in a .env file
    const c = loadConfig({ DATABASE_URL: 'postgres://db/landside', JWT_PUBLIC_KEY: pub.replace(/\n/g, '\\n'), JWT_PRIVATE_KEY: priv });
    expect(c.jwt.secret).toBeUndefined();
    expect(c.jwt.publicKey).toBe(pub);
    expect(c.jwt.privateKey).toBe(priv);
  });

  it('rejects unreadable or unsupported keys and a private key without its public key', () => {
    expect(Object.keys(errorOf({ JWT_PUBLIC_KEY: 'not a pem' }).problems)).toEqual(['JWT_PUBLIC_KEY']);
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(errorOf({ JWT_PUBLIC_KEY: ed }).problems['JWT_PUBLIC_KEY']).toMatch(/unsupported/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(Object.keys(errorOf({ JWT_PRIVATE_KEY: rsa }).problems)).toEqual(['JWT_PUBLIC_KEY']);
  });

  it('never echoes secret values in errors', () => {
    const err = errorOf({ DATABASE_URL: 'mysql://user:hunter2@db/x', REDIS_URL: 'http://:hunter2@r', JWT_PRIVATE_KEY: 'hunter2' });
    expect(Object.keys(err.problems).sort()).toEqual(['DATABASE_URL', 'JWT_PRIVATE_KEY', 'REDIS_URL']);
    expect(err.message).not.toContain('hunter2');
  });

  it('checks that the pre-CONNECT frame limit does not exceed the frame limit', () => {
    const err = errorOf({ STOMP_MAX_FRAME_BYTES: '4096' });
    expect(Object.keys(err.problems)).toEqual(['STOMP_MAX_PRECONNECT_FRAME_BYTES']);
  });

  it('documents every variable in docs/configuration.md', () => {
    const doc = readFileSync(join(__dirname, '../../../docs/configuration.md'), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]));
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('ConfigModule', () => {
  @Injectable()
  class NeedsConfig {
    constructor(@Inject(APP_CONFIG) readonly config: AppConfig) {}
  }

  it('provides the config globally under APP_CONFIG', async () => {
    const config = loadConfig({ PORT: '4000' });
    const ref = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config)], providers: [NeedsConfig] }).compile();
    expect(ref.get(NeedsConfig).config).toBe(config);
    expect(ref.get<AppConfig>(APP_CONFIG).port).toBe(4000);
    await ref.close();
  });
});
