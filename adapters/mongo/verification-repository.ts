/**
 * @module Phone verifications in MongoDB: `verifications` (one document per
 * verification, `_id` its id as a plain string) and `verification_claims`
 * (single-use markers whose `_id` says what they claim:
 * `<id>:a:<n>` attempt n, `<id>:c:<n>` code n, `<id>:used`).
 *
 * Why claims: every count that must be exact under concurrency is a set of
 * inserts with distinct `_id`s, and `_id` uniqueness is exact on MongoDB and
 * on FerretDB 1.24 alike, where a conditional update (`$inc` filtered on a
 * counter) is not atomic there and would let 100 parallel wrong codes count
 * as far fewer than 100. So:
 * - `claimAttempt` counts the attempt claims, then inserts `a:<count+1>`,
 *   moving up on a duplicate until one insert succeeds or `max` is reached:
 *   at most `max` attempt claims can ever exist, however many race.
 * - `claimCode(n)` inserts `c:<n>`: one winner per code number.
 * - `consume` inserts `used`: one winner per verification.
 * - `attempts`, `codesSent` and `used` are read back from the claims.
 *
 * Crashes: `create` inserts the `c:1` claim first, then the document; a crash
 * in between leaves an orphan claim no one reads. A crash after a claim and
 * before the document changes (`recordCode`, `markVerified`) leaves the
 * claim counted and the document as it was: an attempt used up, a code
 * number skipped, never an extra attempt. `recordCode` is filtered on the
 * stored code number, so an older code never overwrites a newer one.
 * Verifications an hour past expiry, and their claims, are deleted by later
 * `create`s.
 */
import type { Db } from 'mongodb';
import type {
  Verification,
  VerificationId,
  VerificationRepository,
  VerificationTransport,
} from '../../core/index.js';
import { isDuplicateKeyError, withMongoErrors } from './connect.js';
import { COLLECTIONS } from './indexes.js';

interface VerificationDoc {
  _id: string;
  phoneNumber: string;
  transport: VerificationTransport;
  createdAt: Date;
  expiresAt: Date;
  codeHash: string | null;
  /** The number of the code `codeHash` and `nextCodeAt` belong to. */
  codeNumber: number;
  nextCodeAt: Date | null;
  verifiedAt: Date | null;
}

interface ClaimDoc {
  _id: string;
  verificationId: string;
  kind: 'attempt' | 'code' | 'use';
  at: Date;
}

const KEEP_AFTER_EXPIRY_MS = 60 * 60_000;
const MAX_ID_LENGTH = 64;
const plausible = (id: string) => id.length > 0 && id.length <= MAX_ID_LENGTH;

export function createMongoVerificationRepository(db: Db): VerificationRepository {
  const verifications = db.collection<VerificationDoc>(COLLECTIONS.verifications);
  const claims = db.collection<ClaimDoc>(COLLECTIONS.verificationClaims);

  /** True when this insert made the claim, false when it existed. */
  async function claim(id: string, suffix: string, kind: ClaimDoc['kind']): Promise<boolean> {
    try {
      await claims.insertOne({ _id: `${id}:${suffix}`, verificationId: id, kind, at: new Date() });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  return withMongoErrors<VerificationRepository>({
    async create(verification) {
      await claim(verification.id, 'c:1', 'code');
      await verifications.insertOne({
        _id: verification.id,
        phoneNumber: verification.phoneNumber,
        transport: verification.transport,
        createdAt: verification.createdAt,
        expiresAt: verification.expiresAt,
        codeHash: verification.codeHash,
        codeNumber: 1,
        nextCodeAt: verification.nextCodeAt,
        verifiedAt: null,
      });
      const cutoff = new Date(verification.createdAt.getTime() - KEEP_AFTER_EXPIRY_MS);
      const stale = await verifications
        .find({ expiresAt: { $lt: cutoff } }, { projection: { _id: 1 } })
        .limit(100)
        .toArray();
      if (stale.length > 0) {
        const staleIds = stale.map((doc) => doc._id);
        await claims.deleteMany({ verificationId: { $in: staleIds } });
        await verifications.deleteMany({ _id: { $in: staleIds } });
      }
    },
    async findById(id) {
      if (!plausible(id)) return null;
      const [doc, found] = await Promise.all([
        verifications.findOne({ _id: id }),
        claims.find({ verificationId: id }, { projection: { kind: 1 } }).toArray(),
      ]);
      if (!doc) return null;
      const count = (kind: ClaimDoc['kind']) => found.filter((c) => c.kind === kind).length;
      return {
        id: doc._id as VerificationId,
        phoneNumber: doc.phoneNumber,
        transport: doc.transport,
        createdAt: doc.createdAt,
        expiresAt: doc.expiresAt,
        codeHash: doc.codeHash,
        codesSent: Math.max(1, count('code')),
        nextCodeAt: doc.nextCodeAt,
        attempts: count('attempt'),
        verifiedAt: doc.verifiedAt,
        used: count('use') > 0,
      } satisfies Verification;
    },
    async claimAttempt(id, max) {
      const counted = await claims.countDocuments({ verificationId: id, kind: 'attempt' });
      for (let n = counted + 1; n <= max; n++) {
        if (await claim(id, `a:${n}`, 'attempt')) return n;
      }
      return null;
    },
    async claimCode(id, number) {
      return claim(id, `c:${number}`, 'code');
    },
    async recordCode(id, code) {
      await verifications.updateOne(
        { _id: id, codeNumber: { $lt: code.number } },
        {
          $set: {
            codeNumber: code.number,
            codeHash: code.codeHash,
            transport: code.transport,
            expiresAt: code.expiresAt,
            nextCodeAt: code.nextCodeAt,
          },
        },
      );
    },
    async markVerified(id, at, expiresAt) {
      await verifications.updateOne(
        { _id: id, verifiedAt: null },
        { $set: { verifiedAt: at, expiresAt, nextCodeAt: null } },
      );
    },
    async consume(id) {
      return claim(id, 'used', 'use');
    },
  });
}
