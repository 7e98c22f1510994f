/**
 * @module In-memory phone verifications. No method awaits between its check
 * and its change, so claims are exact on the event loop. Verifications an
 * hour past their expiry are dropped when a new one is created, so the map
 * stays bounded by the traffic of the last hour.
 */
import type { Verification, VerificationRepository } from '../../core/index.js';

const KEEP_AFTER_EXPIRY_MS = 60 * 60_000;

export function createMemoryVerificationRepository(): VerificationRepository {
  const byId = new Map<string, Verification>();
  // The number of the code each verification's fields describe.
  const recorded = new Map<string, number>();

  const update = (id: string, change: (v: Verification) => Verification) => {
    const verification = byId.get(id);
    if (verification) byId.set(id, change(verification));
    return verification;
  };

  return {
    async create(verification) {
      const cutoff = verification.createdAt.getTime() - KEEP_AFTER_EXPIRY_MS;
      for (const [id, old] of byId) {
        if (old.expiresAt.getTime() < cutoff) {
          byId.delete(id);
          recorded.delete(id);
        }
      }
      byId.set(verification.id, { ...verification, codesSent: 1, attempts: 0, used: false });
      recorded.set(verification.id, 1);
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async claimAttempt(id, max) {
      const verification = byId.get(id);
      if (!verification || verification.attempts >= max) return null;
      const attempts = verification.attempts + 1;
      byId.set(id, { ...verification, attempts });
      return attempts;
    },
    async claimCode(id, number) {
      const verification = byId.get(id);
      if (!verification || verification.codesSent >= number) return false;
      byId.set(id, { ...verification, codesSent: number });
      return true;
    },
    async recordCode(id, code) {
      if ((recorded.get(id) ?? 0) > code.number) return;
      const { number, ...fields } = code;
      if (update(id, (v) => ({ ...v, ...fields }))) recorded.set(id, number);
    },
    async markVerified(id, at, expiresAt) {
      update(id, (v) => ({ ...v, verifiedAt: v.verifiedAt ?? at, expiresAt }));
    },
    async consume(id) {
      const verification = byId.get(id);
      if (!verification || verification.used) return false;
      byId.set(id, { ...verification, used: true });
      return true;
    },
  };
}
