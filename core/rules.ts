/**
 * @module Value rules of the contract (API.md §1–4), each with the message a
 * client reads when a value breaks it. The use cases check them and the HTTP
 * schemas are built from the same `Rule`s, so the edge and the core cannot
 * disagree, nor word one rule two ways.
 */
import { ValidationError, type ValidationIssue } from './errors.js';

/** A rule on one field: its test, and what a client reads when a value fails it. */
export interface Rule<T = string> {
  readonly test: (value: T) => boolean;
  readonly message: string;
  /** The whole rule as a pattern, where one says it (the edge documents it in OpenAPI). */
  readonly pattern?: RegExp;
}

/** The issue at `path` for the first of `rules` that `value` breaks, or null when it keeps all. */
export function ruleIssue<T>(
  path: string,
  value: T,
  ...rules: readonly Rule<T>[]
): ValidationIssue | null {
  const broken = rules.find((rule) => !rule.test(value));
  return broken === undefined ? null : { path, message: broken.message };
}

/** Throws `VALIDATION_FAILED` at `path` for the first of `rules` that `value` breaks. */
export function checkRules<T>(path: string, value: T, ...rules: readonly Rule<T>[]): void {
  const issue = ruleIssue(path, value, ...rules);
  if (issue !== null) throw ValidationError.at(issue.path, issue.message);
}

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

/** Text of `min`–`max` code points, well formed. */
function wellFormedText(value: string, min: number, max: number): boolean {
  const length = codePointLength(value);
  return length >= min && length <= max && isWellFormed(value);
}

export const WELL_FORMED_RULE: Rule = {
  test: isWellFormed,
  message: 'Must be well-formed Unicode text.',
};

export const PHONE_NUMBER_RULE: Rule = {
  test: (value) => normalizePhoneNumber(value) !== null,
  message: 'Must be an E.164 number: + then 7–15 digits, the first not 0.',
};

export const USERNAME_RULE: Rule = {
  test: isValidUsername,
  message: 'Must be 3–32 of A–Z, a–z, 0–9, _ and .',
  pattern: USERNAME_PATTERN,
};

export const DISPLAY_NAME_RULE: Rule = {
  test: (value) => normalizeDisplayName(value) !== null,
  message: 'Must be 1–64 characters after trimming, without control characters or bidi overrides.',
};

/** A new password's length; check `WELL_FORMED_RULE` first for the plainer message. */
export const PASSWORD_RULE: Rule = {
  test: isValidPassword,
  message: 'Must be 8–128 characters.',
};

export const MESSAGE_CONTENT_RULE: Rule = {
  test: (value) => wellFormedText(value, 1, MAX_CONTENT_CODE_POINTS),
  message: `Must be 1–${MAX_CONTENT_CODE_POINTS} characters of well-formed text.`,
};

export const MESSAGE_TYPE_RULE: Rule = {
  test: (value) => MESSAGE_TYPE_PATTERN.test(value),
  message: 'Must be 1–32 of a–z, 0–9, _ and -.',
  pattern: MESSAGE_TYPE_PATTERN,
};

export const CLIENT_MESSAGE_ID_RULE: Rule = {
  test: (value) => wellFormedText(value, 1, MAX_CLIENT_MESSAGE_ID_LENGTH),
  message: `Must be 1–${MAX_CLIENT_MESSAGE_ID_LENGTH} characters.`,
};

// ITU-T E.164 country calling codes are prefix-free: 1 and 7 are the only
// one-digit codes, these the two-digit ones; every other code has three digits.
const TWO_DIGIT_CALLING_CODES = new Set([
  20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56,
  57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
]);

/** The country calling code of a normalized E.164 number, with its `+` (`+1`, `+44`, `+358`). */
export function callingCodeOf(e164: string): string {
  const digits = e164.slice(1);
  if (digits.startsWith('1') || digits.startsWith('7')) return `+${digits[0]}`;
  if (TWO_DIGIT_CALLING_CODES.has(Number(digits.slice(0, 2)))) return `+${digits.slice(0, 2)}`;
  return `+${digits.slice(0, 3)}`;
}

/** A verification code as typed: exactly six ASCII digits (no other Unicode digits). */
export const VERIFICATION_CODE_PATTERN = /^[0-9]{6}$/;

export const VERIFICATION_CODE_RULE: Rule = {
  test: (value) => VERIFICATION_CODE_PATTERN.test(value),
  message: 'Must be exactly 6 digits 0–9.',
  pattern: VERIFICATION_CODE_PATTERN,
};

/** A device name given by the client: 1–64 code points, same rules as a display name. */
export const normalizeDeviceName = normalizeDisplayName;

export const DEVICE_NAME_RULE: Rule = DISPLAY_NAME_RULE;

const UNKNOWN_DEVICE = 'Unknown device';

/**
 * The device name stored for a session: the client's when given (already
 * checked), else its User-Agent without control or bidi characters, cut to 64
 * code points, else `Unknown device`.
 */
export function deviceNameFrom(given: string | null, userAgent: string | null): string {
  if (given !== null) return given;
  const cleaned = [...(userAgent ?? '').replace(/[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/gu, '')]
    .slice(0, 64)
    .join('')
    .trim();
  return cleaned === '' ? UNKNOWN_DEVICE : cleaned;
}
