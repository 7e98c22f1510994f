/** @module Contact discovery: which of these phone numbers belong to users. */
import type { Deps } from '../deps.js';
import type { Profile, UserId } from '../model.js';
import { normalizePhoneNumber, type Rule } from '../rules.js';
import { toProfile } from './session.js';

/** Most phone numbers one lookup may hold (the edge refuses more). */
export const MAX_LOOKUP_PHONE_NUMBERS = 500;

export const LOOKUP_PHONE_NUMBERS_RULE: Rule<readonly string[]> = {
  test: (numbers) => numbers.length >= 1 && numbers.length <= MAX_LOOKUP_PHONE_NUMBERS,
  message: `Must hold 1–${MAX_LOOKUP_PHONE_NUMBERS} phone numbers.`,
};

/**
 * One profile per matched user, in order of the first number that matched it.
 * Numbers that do not normalize or belong to nobody are simply absent, and so
 * are users who block `callerId` (the caller).
 */
export async function lookupByPhoneNumbers(
  deps: Pick<Deps, 'users' | 'blocks'>,
  input: { readonly phoneNumbers: readonly string[]; readonly callerId: UserId },
): Promise<Profile[]> {
  const wanted: string[] = [];
  const seen = new Set<string>();
  for (const raw of input.phoneNumbers) {
    const phone = normalizePhoneNumber(raw);
    if (phone !== null && !seen.has(phone)) {
      seen.add(phone);
      wanted.push(phone);
    }
  }
  if (wanted.length === 0) return [];
  const users = await deps.users.findByPhoneNumbers(wanted);
  const blockers = new Set(
    users.length === 0
      ? []
      : (
          await deps.blocks.findBlocking(
            users.map((user) => user.id),
            input.callerId,
          )
        ).map((block) => block.blockerId),
  );
  const found = new Map(
    users.filter((user) => !blockers.has(user.id)).map((user) => [user.phoneNumber, user]),
  );
  return wanted.flatMap((phone) => {
    const user = found.get(phone);
    return user ? [toProfile(user)] : [];
  });
}
