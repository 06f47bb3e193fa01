import 'reflect-metadata';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign as jwtSign } from 'jsonwebtoken';
import { STOMP_ERROR_CODES } from '@landside/stomp';
import { extractBearer } from './bearer';
import { JWT_SECRET_FILE, resolveJwtSecret } from './jwt-secret';
import { TokenError, type TokenErrorCode } from './token-error';
import { TokenService } from './token.service';

const SECRET = 'test-secret-that-is-long-enough-for-hs256!!';
const ISS = 'landside';
const AUD = 'landside';

const rsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const ec = generateKeyPairSync('ec', {
  namedCurve: 'prime256v1',
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

const hs = new TokenService({ secret: SECRET, issuer: ISS, audience: AUD });
const nowS = (): number => Math.floor(Date.now() / 1000);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function rejects(service: TokenService, token: string, code: TokenErrorCode, message: RegExp): void {
  let caught: unknown;
  try {
    service.verify(token);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(TokenError);
  const error = caught as TokenError;
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  // A refusal never echoes the token (it may be logged).
  if (token.length > 0) expect(error.message).not.toContain(token);
}

describe('TokenService', () => {
  it('signs and verifies HS256 with every claim', () => {
    const token = hs.sign({ sub: 'op1', role: 'OPERATOR', zones: ['T1', 'T2'] }, 60);
    const p = hs.verify(token);
    expect(p).toEqual({ sub: 'op1', role: 'OPERATOR', zones: ['T1', 'T2'], expiresAt: expect.any(Number) as number });
    expect(p.expiresAt).toBeGreaterThan(Date.now() + 59_000);
    expect(p.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string };
    expect(header.alg).toBe('HS256');
  });

  it('carries deviceType and leaves absent claims absent', () => {
    const p = hs.verify(hs.sign({ sub: 'gate-1', role: 'DEVICE', deviceType: 'GATE' }, 60));
    expect(p.deviceType).toBe('GATE');
    expect('zones' in p).toBe(false);
  });

  it('signs and verifies RS256 with a generated key pair', () => {
    const rs = new TokenService({ publicKey: rsa.publicKey, privateKey: rsa.privateKey, issuer: ISS, audience: AUD });
    expect(rs.verificationSettings().algorithms).toEqual(['RS256']);
    expect(rs.verify(rs.sign({ sub: 'admin', role: 'ADMIN' }, 60)).role).toBe('ADMIN');
    // A verify-only instance (public key alone) accepts it too but cannot sign.
    const verifier = new TokenService({ publicKey: rsa.publicKey, issuer: ISS, audience: AUD });
    expect(verifier.verify(rs.sign({ sub: 'admin', role: 'ADMIN' }, 60)).sub).toBe('admin');
    expect(verifier.canSign).toBe(false);
    expect(() => verifier.sign({ sub: 'x', role: 'ADMIN' }, 60)).toThrow(/only verify/);
  });

  it('signs and verifies ES256 with a P-256 key pair (public key derived from the private key)', () => {
    const es = new TokenService({ privateKey: ec.privateKey, issuer: ISS, audience: AUD });
    expect(es.verificationSettings().algorithms).toEqual(['ES256']);
    expect(es.verify(es.sign({ sub: 'd', role: 'DRIVER' }, 60)).role).toBe('DRIVER');
  });

  it('refuses alg:none', () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', role: 'ADMIN', iss: ISS, aud: AUD, exp: nowS() + 60 })}.`;
    rejects(hs, token, 'unauthenticated', /alg none|algorithm|signature/);
    const viaLib = jwtSign({ role: 'ADMIN' }, '', { algorithm: 'none', subject: 'x', issuer: ISS, audience: AUD, expiresIn: 60 });
    rejects(hs, viaLib, 'unauthenticated', /alg none|algorithm|signature/);
  });

  it('refuses an HS256 token MACed with the RSA public key (HS/RS confusion)', () => {
    const rs = new TokenService({ publicKey: rsa.publicKey, issuer: ISS, audience: AUD });
    // Forge by hand: jsonwebtoken itself refuses to HMAC with a PEM key.
    const signingInput = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'x', role: 'ADMIN', iss: ISS, aud: AUD, exp: nowS() + 60 })}`;
    const mac = createHmac('sha256', rs.verificationSettings().key).update(signingInput).digest('base64url');
    rejects(rs, `${signingInput}.${mac}`, 'unauthenticated', /algorithm/);
  });

  it('refuses an RS256 token at an HS256 verifier', () => {
    const rs = new TokenService({ privateKey: rsa.privateKey, issuer: ISS, audience: AUD });
    rejects(hs, rs.sign({ sub: 'x', role: 'ADMIN' }, 60), 'unauthenticated', /algorithm/);
  });

  it('refuses a wrong issuer and a wrong audience', () => {
    rejects(hs, jwtSign({ role: 'ADMIN' }, SECRET, { subject: 'x', issuer: 'evil', audience: AUD, expiresIn: 60 }), 'unauthenticated', /issuer/);
    rejects(hs, jwtSign({ role: 'ADMIN' }, SECRET, { subject: 'x', audience: AUD, expiresIn: 60 }), 'unauthenticated', /issuer/);
    rejects(hs, jwtSign({ role: 'ADMIN' }, SECRET, { subject: 'x', issuer: ISS, audience: 'other', expiresIn: 60 }), 'unauthenticated', /audience/);
  });

  it('reports an expired token with code token-expired', () => {
    const token = jwtSign({ role: 'ADMIN', exp: nowS() - 10 }, SECRET, { subject: 'x', issuer: ISS, audience: AUD });
    rejects(hs, token, 'token-expired', /expired at/);
  });

  it('refuses a token that is not valid yet (nbf in the future)', () => {
    const token = jwtSign({ role: 'ADMIN' }, SECRET, { subject: 'x', issuer: ISS, audience: AUD, expiresIn: 600, notBefore: 300 });
    rejects(hs, token, 'unauthenticated', /not valid before/);
  });

  it('refuses a token without exp, sub or a valid role, or with bad zones/deviceType', () => {
    const opts = { issuer: ISS, audience: AUD };
    rejects(hs, jwtSign({ role: 'ADMIN' }, SECRET, { ...opts, subject: 'x' }), 'unauthenticated', /expiry/);
    rejects(hs, jwtSign({ role: 'ADMIN' }, SECRET, { ...opts, expiresIn: 60 }), 'unauthenticated', /subject/);
    rejects(hs, jwtSign({}, SECRET, { ...opts, subject: 'x', expiresIn: 60 }), 'unauthenticated', /role/);
    rejects(hs, jwtSign({ role: 'ROOT' }, SECRET, { ...opts, subject: 'x', expiresIn: 60 }), 'unauthenticated', /role/);
    rejects(hs, jwtSign({ role: 'OPERATOR', zones: 'T1' }, SECRET, { ...opts, subject: 'x', expiresIn: 60 }), 'unauthenticated', /zones/);
    rejects(hs, jwtSign({ role: 'OPERATOR', zones: [1] }, SECRET, { ...opts, subject: 'x', expiresIn: 60 }), 'unauthenticated', /zones/);
    rejects(hs, jwtSign({ role: 'DEVICE', deviceType: 'TOASTER' }, SECRET, { ...opts, subject: 'x', expiresIn: 60 }), 'unauthenticated', /deviceType/);
  });

  it('refuses a bad signature, a different secret, garbage and an empty token', () => {
    const token = hs.sign({ sub: 'x', role: 'ADMIN' }, 60);
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    rejects(hs, flipped, 'unauthenticated', /signature/);
    const other = new TokenService({ secret: 'another-secret-that-is-also-long-enough!!', issuer: ISS, audience: AUD });
    rejects(hs, other.sign({ sub: 'x', role: 'ADMIN' }, 60), 'unauthenticated', /signature/);
    const tampered = `${h}.${b64({ sub: 'x', role: 'ADMIN', iss: ISS, aud: AUD, exp: nowS() + 6000 })}.${s}`;
    rejects(hs, tampered, 'unauthenticated', /signature/);
    rejects(hs, 'not-a-jwt', 'unauthenticated', /malformed/);
    rejects(hs, '', 'unauthenticated', /no token/);
    rejects(hs, 'a'.repeat(10_000), 'unauthenticated', /too long/);
  });

  it('uses only codes the STOMP error-code list knows', () => {
    const codes: TokenErrorCode[] = ['unauthenticated', 'token-expired'];
    for (const code of codes) expect(STOMP_ERROR_CODES).toContain(code);
  });

  it('refuses bad configuration with a clear message', () => {
    expect(() => new TokenService({ issuer: ISS, audience: AUD })).toThrow(/JWT_SECRET/);
    expect(() => new TokenService({ secret: 'short', issuer: ISS, audience: AUD })).toThrow(/at least 32/);
    expect(() => new TokenService({ secret: SECRET, publicKey: rsa.publicKey, issuer: ISS, audience: AUD })).toThrow(/not both/);
    expect(() => new TokenService({ publicKey: 'garbage', issuer: ISS, audience: AUD })).toThrow(/JWT_PUBLIC_KEY/);
    expect(() => new TokenService({ publicKey: rsa.publicKey, privateKey: ec.privateKey, issuer: ISS, audience: AUD })).toThrow(/does not match/);
    expect(() => new TokenService({ secret: SECRET, issuer: '', audience: AUD })).toThrow(/issuer/);
    expect(() => hs.sign({ sub: 'x', role: 'ADMIN' }, 0)).toThrow(/ttl/);
  });
});

describe('extractBearer', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   abc.def-_ghi ', 'abc.def-_ghi'],
    ['Basic abc', undefined],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Bearer a b', undefined],
    ['abc.def.ghi', undefined],
    ['', undefined],
    [undefined, undefined],
    [['Bearer a', 'Bearer b'], undefined],
  ])('%j -> %j', (value, expected) => {
    expect(extractBearer(value)).toBe(expected);
  });
});

describe('resolveJwtSecret / TokenService.fromOptions', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'landside-auth-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a secret once (mode 0600) and reuses it on the next start', () => {
    const dataDir = join(dir, 'data');
    const first = resolveJwtSecret(dataDir);
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const file = join(dataDir, JWT_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(resolveJwtSecret(dataDir)).toBe(first);
  });

  it('tokens signed before a restart verify after it', () => {
    const options = { jwt: { issuer: ISS, audience: AUD }, embedded: true, dataDir: dir };
    const token = TokenService.fromOptions(options).sign({ sub: 'a', role: 'ADMIN' }, 60);
    expect(TokenService.fromOptions(options).verify(token).sub).toBe('a');
  });

  it('refuses a truncated secret file, and a missing key outside embedded mode', () => {
    writeFileSync(join(dir, JWT_SECRET_FILE), 'short\n');
    expect(() => resolveJwtSecret(dir)).toThrow(/too short|shorter/);
    expect(() => TokenService.fromOptions({ jwt: { issuer: ISS, audience: AUD }, embedded: false, dataDir: dir })).toThrow(/JWT_SECRET/);
  });
});
