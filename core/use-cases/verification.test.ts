import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import type { PhoneVerifier } from '../ports/phone-verifier.js';
import { checkVerificationCode } from './check-verification-code.js';
import { register } from './register.js';
import { resendVerificationCode } from './resend-verification-code.js';
import { resetPassword } from './reset-password.js';
import { startVerification } from './start-verification.js';

const phone = '+15550100001';
const newUser = { username: null, displayName: 'Alice', password: 'correct horse' };

async function started(overrides: Parameters<typeof createCoreDeps>[0] = {}) {
  const core = createCoreDeps(overrides);
  const view = await startVerification(core.deps, {
    phoneNumber: '+1 555 010 0001',
    transport: 'sms',
    clientAddress: '192.0.2.1',
  });
  return { ...core, view, code: () => core.verifier.lastCode(phone) };
}

/** A code that is not the one sent. */
function wrong(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('startVerification', () => {
  it('sends a 6-digit code at once and answers the normalized number, 10 minutes, 5 attempts', async () => {
    const { view, verifier, clock, code } = await started();
    expect(view).toEqual({
      id: expect.any(String),
      phoneNumber: phone,
      transport: 'sms',
      expiresAt: new Date(clock.now().getTime() + 10 * 60_000),
      nextCodeAt: new Date(clock.now().getTime() + 30_000),
      attemptsLeft: 5,
      verified: false,
    });
    expect(verifier.delivered).toHaveLength(1);
    expect(code()).toMatch(/^[0-9]{6}$/);
  });

  it('stores only a keyed hash of the code', async () => {
    const { deps, view, code } = await started();
    const stored = await deps.verifications.findById(view.id);
    expect(stored?.codeHash).not.toBeNull();
    expect(stored?.codeHash).not.toContain(code());
    expect(JSON.stringify(stored)).not.toContain(`"${code()}"`);
  });

  it('answers alike whether or not the number has an account', async () => {
    const { deps } = createCoreDeps();
    await register(deps, { ...newUser, phoneNumber: phone });
    const known = await startVerification(deps, {
      phoneNumber: phone,
      transport: 'sms',
      clientAddress: null,
    });
    const unknown = await startVerification(deps, {
      phoneNumber: '+15550100002',
      transport: 'sms',
      clientAddress: null,
    });
    const shape = ({ id, phoneNumber, ...rest }: typeof known) => rest;
    expect(shape(known)).toEqual(shape(unknown));
  });

  it('refuses a number that does not normalize, sending nothing', async () => {
    const { deps, verifier } = createCoreDeps();
    await expect(
      startVerification(deps, { phoneNumber: '12', transport: 'sms', clientAddress: null }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'phoneNumber' }] });
    expect(verifier.delivered).toEqual([]);
  });

  it('spends the code limits before storing or sending anything', async () => {
    const refused = new Error('limited');
    const { deps, verifier } = createCoreDeps({
      codeSendLimiter: {
        consume: async (keys) => {
          expect(keys).toEqual({
            phoneNumber: phone,
            callingCode: '+1',
            clientAddress: '192.0.2.9',
          });
          throw refused;
        },
      },
    });
    await expect(
      startVerification(deps, { phoneNumber: phone, transport: 'sms', clientAddress: '192.0.2.9' }),
    ).rejects.toBe(refused);
    expect(verifier.delivered).toEqual([]);
  });

  it('answers NOT_FOUND when no verifier is configured', async () => {
    const { deps } = createCoreDeps({ phoneVerifier: null });
    expect(
      await codeOf(
        startVerification(deps, { phoneNumber: phone, transport: 'sms', clientAddress: null }),
      ),
    ).toBe('NOT_FOUND');
  });
});

describe('checkVerificationCode', () => {
  it('verifies the right code and gives 10 minutes to use it', async () => {
    const { deps, view, code, clock } = await started();
    clock.advance(9 * 60_000);
    const checked = await checkVerificationCode(deps, { verificationId: view.id, code: code() });
    expect(checked).toMatchObject({
      verified: true,
      attemptsLeft: 4,
      expiresAt: new Date(clock.now().getTime() + 10 * 60_000),
    });
  });

  it('counts wrong codes and answers INVALID_CODE with the attempts left, then EXHAUSTED', async () => {
    const { deps, view, code } = await started();
    for (const left of [4, 3, 2, 1, 0]) {
      await expect(
        checkVerificationCode(deps, { verificationId: view.id, code: wrong(code()) }),
      ).rejects.toMatchObject({ code: 'INVALID_CODE', attemptsLeft: left });
    }
    // Out of attempts: even the right code is refused.
    expect(
      await codeOf(checkVerificationCode(deps, { verificationId: view.id, code: code() })),
    ).toBe('VERIFICATION_EXHAUSTED');
  });

  it('counts at most 5 of 100 concurrent wrong codes', async () => {
    const { deps, view, code } = await started();
    const codes = await Promise.all(
      Array.from({ length: 100 }, () =>
        codeOf(checkVerificationCode(deps, { verificationId: view.id, code: wrong(code()) })),
      ),
    );
    expect(codes.filter((c) => c === 'INVALID_CODE')).toHaveLength(5);
    expect(codes.filter((c) => c === 'VERIFICATION_EXHAUSTED')).toHaveLength(95);
    expect((await deps.verifications.findById(view.id))?.attempts).toBe(5);
  });

  it.each([
    ['too short', '12345'],
    ['too long', '1234567'],
    ['non-digits', '12a456'],
    ['Arabic-Indic digits', '١٢٣٤٥٦'],
    ['fullwidth digits', '１２３４５６'],
    ['spaces', ' 12345'],
  ])('refuses a code with %s as VALIDATION_FAILED without spending an attempt', async (_, bad) => {
    const { deps, view } = await started();
    await expect(
      checkVerificationCode(deps, { verificationId: view.id, code: bad }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'code' }] });
    expect((await deps.verifications.findById(view.id))?.attempts).toBe(0);
  });

  it('refuses a code after its 10 minutes with VERIFICATION_EXPIRED', async () => {
    const { deps, view, code, clock } = await started();
    clock.advance(10 * 60_000);
    expect(
      await codeOf(checkVerificationCode(deps, { verificationId: view.id, code: code() })),
    ).toBe('VERIFICATION_EXPIRED');
  });

  it('answers unknown and malformed ids with VERIFICATION_NOT_FOUND', async () => {
    const { deps } = await started();
    for (const id of ['ffffffffffffffffffffffff', 'nope', '', 'x'.repeat(500)]) {
      expect(
        await codeOf(checkVerificationCode(deps, { verificationId: id, code: '123456' })),
      ).toBe('VERIFICATION_NOT_FOUND');
    }
  });

  it('answers a verified verification again without counting an attempt', async () => {
    const { deps, view, code } = await started();
    await checkVerificationCode(deps, { verificationId: view.id, code: code() });
    const again = await checkVerificationCode(deps, {
      verificationId: view.id,
      code: wrong(code()),
    });
    expect(again).toMatchObject({ verified: true, attemptsLeft: 4 });
  });

  it('asks the provider when it owns the codes, mapping its answers', async () => {
    const answers: string[] = ['wrong', 'expired'];
    const remote: PhoneVerifier = {
      ownsCodes: true,
      send: async () => {},
      check: async () => (answers.shift() ?? 'approved') as never,
    };
    const { deps, view } = await started({ phoneVerifier: remote });
    expect(
      await codeOf(checkVerificationCode(deps, { verificationId: view.id, code: '123456' })),
    ).toBe('INVALID_CODE');
    expect(
      await codeOf(checkVerificationCode(deps, { verificationId: view.id, code: '123456' })),
    ).toBe('VERIFICATION_EXPIRED');
    await expect(
      checkVerificationCode(deps, { verificationId: view.id, code: '123456' }),
    ).resolves.toMatchObject({ verified: true, attemptsLeft: 2 });
    expect((await deps.verifications.findById(view.id))?.codeHash).toBeNull();
  });
});

describe('resendVerificationCode', () => {
  it('refuses a resend before nextCodeAt with RATE_LIMITED and the seconds left', async () => {
    const { deps, view, clock } = await started();
    clock.advance(10_000);
    await expect(
      resendVerificationCode(deps, { verificationId: view.id, clientAddress: null }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSec: 20 });
  });

  it('backs off 30 s, 1 min, 2 min, 5 min and stops after the fifth code', async () => {
    const { deps, view, clock, verifier, code } = await started();
    const waits: number[] = [];
    let last = view;
    for (let i = 0; i < 4; i++) {
      const wait = (last.nextCodeAt as Date).getTime() - clock.now().getTime();
      waits.push(wait / 1000);
      clock.advance(wait);
      last = await resendVerificationCode(deps, {
        verificationId: view.id,
        transport: i === 0 ? 'voice' : undefined,
        clientAddress: null,
      });
      expect(last.expiresAt).toEqual(new Date(clock.now().getTime() + 10 * 60_000));
    }
    expect(waits).toEqual([30, 60, 120, 300]);
    expect(last.nextCodeAt).toBeNull();
    expect(last.transport).toBe('voice');
    expect(verifier.delivered.map((d) => d.transport)).toEqual([
      'sms',
      'voice',
      'voice',
      'voice',
      'voice',
    ]);
    expect(
      await codeOf(resendVerificationCode(deps, { verificationId: view.id, clientAddress: null })),
    ).toBe('VERIFICATION_EXHAUSTED');
    // The newest code checks; it replaced the ones before.
    await expect(
      checkVerificationCode(deps, { verificationId: view.id, code: code() }),
    ).resolves.toMatchObject({ verified: true });
  });

  it('replaces the old code and keeps the attempts already spent', async () => {
    const { deps, view, clock, verifier, code } = await started();
    const first = code();
    await codeOf(checkVerificationCode(deps, { verificationId: view.id, code: wrong(first) }));
    clock.advance(30_000);
    const resent = await resendVerificationCode(deps, {
      verificationId: view.id,
      clientAddress: null,
    });
    expect(resent.attemptsLeft).toBe(4);
    const second = code();
    expect(verifier.delivered).toHaveLength(2);
    if (first !== second) {
      expect(
        await codeOf(checkVerificationCode(deps, { verificationId: view.id, code: first })),
      ).toBe('INVALID_CODE');
    }
    await expect(
      checkVerificationCode(deps, { verificationId: view.id, code: second }),
    ).resolves.toMatchObject({ verified: true });
  });

  it('sends one code when two resends race for it', async () => {
    const { deps, view, clock, verifier } = await started();
    clock.advance(30_000);
    const results = await Promise.all([
      codeOf(resendVerificationCode(deps, { verificationId: view.id, clientAddress: null })),
      codeOf(resendVerificationCode(deps, { verificationId: view.id, clientAddress: null })),
    ]);
    expect(results.sort()).toEqual(['OK', 'RATE_LIMITED']);
    expect(verifier.delivered).toHaveLength(2);
  });
});

describe('register with phone verification', () => {
  async function verified(overrides: Parameters<typeof createCoreDeps>[0] = {}) {
    const core = await started(overrides);
    await checkVerificationCode(core.deps, { verificationId: core.view.id, code: core.code() });
    return core;
  }

  it('refuses a registration without verificationId when verification is required', async () => {
    const { deps } = createCoreDeps({ phoneVerification: 'required' });
    expect(await codeOf(register(deps, { ...newUser, phoneNumber: phone }))).toBe(
      'VERIFICATION_REQUIRED',
    );
  });

  it('registers with a verified verification of the same number, once', async () => {
    const { deps, view } = await verified({ phoneVerification: 'required' });
    const session = await register(deps, {
      ...newUser,
      phoneNumber: phone,
      verificationId: view.id,
    });
    expect(session.user.phoneNumber).toBe(phone);
    expect(
      await codeOf(
        register(deps, {
          ...newUser,
          phoneNumber: phone,
          username: 'other',
          verificationId: view.id,
        }),
      ),
    ).toBe('VERIFICATION_EXPIRED');
  });

  it('lets exactly one of concurrent registrations use a verification', async () => {
    const { deps, view } = await verified({ phoneVerification: 'required' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        codeOf(register(deps, { ...newUser, phoneNumber: phone, verificationId: view.id })),
      ),
    );
    expect(results.filter((r) => r === 'OK')).toHaveLength(1);
  });

  it('refuses an unverified verification and one for another number', async () => {
    const { deps, view, code } = await started({ phoneVerification: 'required' });
    expect(
      await codeOf(register(deps, { ...newUser, phoneNumber: phone, verificationId: view.id })),
    ).toBe('VERIFICATION_REQUIRED');
    await checkVerificationCode(deps, { verificationId: view.id, code: code() });
    expect(
      await codeOf(
        register(deps, { ...newUser, phoneNumber: '+15550100002', verificationId: view.id }),
      ),
    ).toBe('VERIFICATION_REQUIRED');
  });

  it('refuses a verification used more than 10 minutes after it was verified', async () => {
    const { deps, view, clock } = await verified({ phoneVerification: 'required' });
    clock.advance(10 * 60_000);
    expect(
      await codeOf(register(deps, { ...newUser, phoneNumber: phone, verificationId: view.id })),
    ).toBe('VERIFICATION_EXPIRED');
  });

  it('still registers without a verification when verification is off', async () => {
    const { deps } = createCoreDeps();
    await expect(register(deps, { ...newUser, phoneNumber: phone })).resolves.toBeDefined();
  });
});

describe('resetPassword', () => {
  it('sets the new password, opens a session and ends every other one', async () => {
    const core = createCoreDeps();
    const { deps, endedSessions } = core;
    const first = await register(deps, { ...newUser, phoneNumber: phone });
    const view = await startVerification(deps, {
      phoneNumber: phone,
      transport: 'sms',
      clientAddress: null,
    });
    await checkVerificationCode(deps, {
      verificationId: view.id,
      code: core.verifier.lastCode(phone),
    });
    const reset = await resetPassword(deps, {
      verificationId: view.id,
      newPassword: 'new horse battery',
      deviceName: 'Phone',
    });
    expect(reset.user.id).toBe(first.user.id);
    expect((await deps.users.findById(first.user.id))?.passwordHash).toBe(
      'fake-hash:new horse battery',
    );
    expect(await deps.sessions.findById(first.sessionId)).toBeNull();
    expect(endedSessions).toEqual([{ userId: first.user.id, sessionId: first.sessionId }]);
    expect(
      (await deps.sessions.listForUser(first.user.id, deps.clock.now())).map((s) => s.id),
    ).toEqual([reset.sessionId]);
    expect(
      await codeOf(
        resetPassword(deps, { verificationId: view.id, newPassword: 'third horse battery' }),
      ),
    ).toBe('VERIFICATION_EXPIRED');
  });

  it('answers USER_NOT_FOUND for a verified number without account, leaving it unused', async () => {
    const core = await started();
    await checkVerificationCode(core.deps, { verificationId: core.view.id, code: core.code() });
    expect(
      await codeOf(
        resetPassword(core.deps, {
          verificationId: core.view.id,
          newPassword: 'new horse battery',
        }),
      ),
    ).toBe('USER_NOT_FOUND');
    expect((await core.deps.verifications.findById(core.view.id))?.used).toBe(false);
  });
});
