import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { SessionId, UserId } from '../../core/index.js';
import { createFixedClock } from '../memory/clock.js';
import { createJoseTokenService } from './jose-token-service.js';

const secret = 'a-test-secret-that-is-at-least-32-characters-long';
const userId = '65a1b2c3d4e5f60718293a4b' as UserId;
const sessionId = '75a1b2c3d4e5f60718293a4b' as SessionId;
const key = new TextEncoder().encode(secret);
const nowSec = (clock: { now(): Date }) => Math.floor(clock.now().getTime() / 1000);

async function setup(ttlSec = 3600) {
  const clock = createFixedClock(new Date('2026-03-01T12:00:00.000Z'));
  const tokens = await createJoseTokenService({ secret, ttlSec, clock });
  return { clock, tokens };
}

describe('jose token service', () => {
  it('issues an HS256 token whose sub, iat and exp verify back to the user', async () => {
    const { tokens, clock } = await setup();
    const issued = await tokens.issue(userId, sessionId);
    const [header, payload] = issued.token
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(payload).toMatchObject({
      sub: userId,
      sid: sessionId,
      iat: nowSec(clock),
      exp: nowSec(clock) + 3600,
    });
    expect(issued.expiresAt.toISOString()).toBe('2026-03-01T13:00:00.000Z');
    await expect(tokens.verify(issued.token)).resolves.toEqual({
      userId,
      sessionId,
      expiresAt: issued.expiresAt,
    });
  });

  it("issues byte for byte the token jose's SignJWT writes", async () => {
    const { tokens, clock } = await setup();
    const issued = await tokens.issue(userId, sessionId);
    const expected = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuedAt(nowSec(clock))
      .setExpirationTime(nowSec(clock) + 3600)
      .sign(key);
    expect(issued.token).toBe(expected);
  });

  it('refuses a token once it has expired', async () => {
    const { tokens, clock } = await setup(60);
    const { token } = await tokens.issue(userId, sessionId);
    clock.advance(66_000);
    await expect(tokens.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The token has expired.',
    });
  });

  it('refuses alg none', async () => {
    const { tokens, clock } = await setup();
    const token = new UnsecuredJWT({})
      .setSubject(userId)
      .setIssuedAt(nowSec(clock))
      .setExpirationTime(nowSec(clock) + 60)
      .encode();
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses another algorithm signed with the same secret', async () => {
    const { tokens, clock } = await setup();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject(userId)
      .setIssuedAt(nowSec(clock))
      .setExpirationTime(nowSec(clock) + 60)
      .sign(new TextEncoder().encode(secret.repeat(2)));
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a tampered payload and a tampered signature', async () => {
    const { tokens } = await setup();
    const { token } = await tokens.issue(userId, sessionId);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString(
      'base64url',
    );
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(tokens.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(tokens.verify(`${header}.${payload}.${flipped}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('refuses a token signed with another secret', async () => {
    const { tokens, clock } = await setup();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt(nowSec(clock))
      .setExpirationTime(nowSec(clock) + 60)
      .sign(new TextEncoder().encode('another-secret-of-at-least-32-characters'));
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token without exp, without iat, or without sub', async () => {
    const { tokens, clock } = await setup();
    const base = () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' });
    const noExp = await base().setSubject(userId).setIssuedAt(nowSec(clock)).sign(key);
    const noIat = await base()
      .setSubject(userId)
      .setExpirationTime(nowSec(clock) + 60)
      .sign(key);
    const noSub = await base()
      .setIssuedAt(nowSec(clock))
      .setExpirationTime(nowSec(clock) + 60)
      .sign(key);
    for (const token of [noExp, noIat, noSub]) {
      await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses a token issued in the future', async () => {
    const { tokens, clock } = await setup();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt(nowSec(clock) + 120)
      .setExpirationTime(nowSec(clock) + 600)
      .sign(key);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses strings that are not tokens at all', async () => {
    const { tokens } = await setup();
    for (const token of ['', 'garbage', 'a.b.c', '....', 'Bearer x']) {
      await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('still refuses a remembered token once it has expired', async () => {
    const { tokens, clock } = await setup(60);
    const { token } = await tokens.issue(userId, sessionId);
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId });
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId });
    clock.advance(66_000);
    await expect(tokens.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The token has expired.',
    });
  });

  it('remembers at most cacheSize tokens and verifies the evicted ones again', async () => {
    const clock = createFixedClock(new Date('2026-03-01T12:00:00.000Z'));
    const tokens = await createJoseTokenService({ secret, ttlSec: 60, clock, cacheSize: 1 });
    const first = await tokens.issue(userId, sessionId);
    const second = await tokens.issue(
      '65a1b2c3d4e5f60718293a4c' as UserId,
      '75a1b2c3d4e5f60718293a4c' as SessionId,
    );
    await tokens.verify(first.token);
    await tokens.verify(second.token);
    // Evicted from the cache, the first token goes through jose again and the
    // expiry is still enforced there.
    clock.advance(66_000);
    await expect(tokens.verify(first.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(tokens.verify(second.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a well-signed token without sid (issued before device sessions)', async () => {
    const { tokens, clock } = await setup();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt(nowSec(clock))
      .setExpirationTime(nowSec(clock) + 60)
      .sign(key);
    await expect(tokens.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('log in again'),
    });
  });

  it('forgets the remembered tokens of ended sessions and no others', async () => {
    const { tokens } = await setup();
    const other = '75a1b2c3d4e5f60718293a4d' as SessionId;
    const [a, b] = [await tokens.issue(userId, sessionId), await tokens.issue(userId, other)];
    await tokens.verify(a.token);
    await tokens.verify(b.token);
    tokens.forgetSessions([sessionId]);
    // Still a valid signature: the store's session check refuses it (authenticate),
    // this only proves nothing stale is served from memory.
    await expect(tokens.verify(a.token)).resolves.toMatchObject({ sessionId });
    await expect(tokens.verify(b.token)).resolves.toMatchObject({ sessionId: other });
  });
});
