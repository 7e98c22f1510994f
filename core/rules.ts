/**
 * @module Value rules of the contract (API.md §1–4). The HTTP schemas use the
 * same functions, so the edge and the core cannot disagree.
 */

/** Number of Unicode code points (the contract counts strings this way). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** True when `value` has a character of Unicode category Cc. */
export function hasControlCharacter(value: string): boolean {
  return /\p{Cc}/u.test(value);
}

/**
 * True when `value` has an explicit directional formatting character of
 * Unicode's bidi algorithm (UAX #9): the embeddings and overrides U+202A–U+202E
 * and the isolates U+2066–U+2069. In a name they can make a caller's name read
 * as something else ("Trojan Source"); the implicit marks (LRM, RLM, ALM) that
 * mixed-script names need are not among them.
 */
export function hasBidiControl(value: string): boolean {
  return /[\u202A-\u202E\u2066-\u2069]/u.test(value);
}

/** True when `value` holds no lone surrogate (it survives UTF-8 round trips unchanged). */
export function isWellFormed(value: string): boolean {
  return !/\p{Cs}/u.test(value);
}

const PHONE_SEPARATORS = /[\s\-.()]/g;
const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * Strips spaces, `-`, `.`, `(`, `)` and returns the E.164 form, or null when the
 * rest is not `+` then 7–15 digits with a first digit other than 0.
 */
export function normalizePhoneNumber(raw: string): string | null {
  const stripped = raw.replace(PHONE_SEPARATORS, '');
  return E164.test(stripped) ? stripped : null;
}

/** 3–32 of `[A-Za-z0-9_.]`. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.]{3,32}$/;

export function isValidUsername(value: string): boolean {
  return USERNAME_PATTERN.test(value);
}

/**
 * Trimmed display name, or null when it breaks the rules: 1–64 code points,
 * no control character (Cc), no bidi embedding, override or isolate, well formed.
 */
export function normalizeDisplayName(raw: string): string | null {
  const trimmed = raw.trim();
  const length = codePointLength(trimmed);
  if (length < 1 || length > 64) return null;
  if (hasControlCharacter(trimmed) || hasBidiControl(trimmed) || !isWellFormed(trimmed)) {
    return null;
  }
  return trimmed;
}

/**
 * 8–128 code points of well-formed text (a lone surrogate would reach the
 * hasher as U+FFFD, so two different passwords could share one hash).
 */
export function isValidPassword(value: string): boolean {
  const length = codePointLength(value);
  return length >= 8 && length <= 128 && isWellFormed(value);
}

/** 1–32 of `[a-z0-9_-]`. */
export const MESSAGE_TYPE_PATTERN = /^[a-z0-9_-]{1,32}$/;

export const MAX_CONTENT_CODE_POINTS = 65_536;
export const MAX_CLIENT_MESSAGE_ID_LENGTH = 64;
