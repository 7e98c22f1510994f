/**
 * @module The `VerificationRepository` contract, run against every adapter.
 * The must-have cases are the exact counts under concurrency: 100 parallel
 * attempt claims yield exactly `max` numbered 1…max, a code number and the
 * use are claimed once however many race.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import type { Verification, VerificationId, VerificationRepository } from '../../core/index.js';

const ids = createObjectIdGenerator();
const T0 = new Date('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function newVerification(overrides: Partial<Verification> = {}): Verification {
  return {
    id: ids.newId() as VerificationId,
    phoneNumber: '+15550100001',
    transport: 'sms',
    createdAt: T0,
    expiresAt: at(600_000),
    codeHash: 'hash-1',
    codesSent: 1,
    nextCodeAt: at(30_000),
    attempts: 0,
    verifiedAt: null,
    used: false,
    ...overrides,
  };
}

/** Registers the verification repository contract for one adapter; `setup` gives an empty one. */
export function describeVerificationRepositoryContract(
  name: string,
  setup: () => Promise<VerificationRepository> | VerificationRepository,
): void {
  describe(`VerificationRepository contract: ${name}`, () => {
    let verifications: VerificationRepository;

    beforeEach(async () => {
      verifications = await setup();
    });

    it('stores a verification and finds it by id', async () => {
      const verification = newVerification();
      await verifications.create(verification);
      expect(await verifications.findById(verification.id)).toEqual(verification);
    });

    it('keeps a null code hash (a provider that owns the codes)', async () => {
      const verification = newVerification({ codeHash: null, transport: 'voice' });
      await verifications.create(verification);
      expect(await verifications.findById(verification.id)).toEqual(verification);
    });

    it('treats unknown and malformed ids as unknown', async () => {
      await verifications.create(newVerification());
      for (const id of ['', 'nope', ids.newId(), 'x'.repeat(500)]) {
        expect(await verifications.findById(id)).toBeNull();
      }
    });

    it('counts attempts up to max, then refuses', async () => {
      const { id } = newVerification();
      await verifications.create(newVerification({ id }));
      const claimed = [];
      for (let i = 0; i < 7; i++) claimed.push(await verifications.claimAttempt(id, 5));
      expect(claimed).toEqual([1, 2, 3, 4, 5, null, null]);
      expect((await verifications.findById(id))?.attempts).toBe(5);
    });

    it('counts exactly max of 100 concurrent attempts, numbered 1 to max', async () => {
      const { id } = newVerification();
      await verifications.create(newVerification({ id }));
      const claimed = await Promise.all(
        Array.from({ length: 100 }, () => verifications.claimAttempt(id, 5)),
      );
      expect(claimed.filter((n) => n !== null).sort()).toEqual([1, 2, 3, 4, 5]);
      expect((await verifications.findById(id))?.attempts).toBe(5);
    });

    it('claims each code number once, also under concurrency', async () => {
      const { id } = newVerification();
      await verifications.create(newVerification({ id }));
      expect(await verifications.claimCode(id, 1)).toBe(false);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => verifications.claimCode(id, 2)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await verifications.findById(id))?.codesSent).toBe(2);
    });

    it('records a new code and never lets an older one overwrite it', async () => {
      const verification = newVerification();
      await verifications.create(verification);
      await verifications.claimCode(verification.id, 2);
      await verifications.claimCode(verification.id, 3);
      const code = (number: number) => ({
        number,
        codeHash: `hash-${number}`,
        transport: 'voice' as const,
        expiresAt: at(number * 60_000 + 600_000),
        nextCodeAt: number === 3 ? null : at(number * 60_000),
      });
      await verifications.recordCode(verification.id, code(3));
      await verifications.recordCode(verification.id, code(2));
      expect(await verifications.findById(verification.id)).toEqual({
        ...verification,
        codesSent: 3,
        codeHash: 'hash-3',
        transport: 'voice',
        expiresAt: at(780_000),
        nextCodeAt: null,
      });
    });

    it('marks a verification verified with its new deadline', async () => {
      const verification = newVerification();
      await verifications.create(verification);
      await verifications.markVerified(verification.id, at(5000), at(605_000));
      expect(await verifications.findById(verification.id)).toMatchObject({
        verifiedAt: at(5000),
        expiresAt: at(605_000),
      });
    });

    it('lets exactly one of many concurrent consumers use it', async () => {
      const verification = newVerification();
      await verifications.create(verification);
      const results = await Promise.all(
        Array.from({ length: 20 }, () => verifications.consume(verification.id)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await verifications.findById(verification.id))?.used).toBe(true);
      expect(await verifications.consume(verification.id)).toBe(false);
    });

    it('keeps verifications apart', async () => {
      const a = newVerification();
      const b = newVerification();
      await verifications.create(a);
      await verifications.create(b);
      await verifications.claimAttempt(a.id, 5);
      await verifications.consume(a.id);
      expect(await verifications.findById(b.id)).toEqual(b);
    });
  });
}
