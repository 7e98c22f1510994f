/**
 * @module Rules of E2EE key material (API.md §5): hex of either case, exact
 * byte lengths, id ranges, list sizes and unique `keyId`s. The checks collect
 * every issue with its dot-joined path from the body root and return the keys
 * with lowercase hex. The HTTP edge may reuse the predicates, so the two
 * cannot disagree. `verifyPrekeySignatures` applies the signature rule
 * through the `SignatureVerifier` port.
 */
import { ValidationError, type ValidationIssue } from './errors.js';
import { hexToBytes } from './hex.js';
import type { KeyBundleHead, PreKey, SignedPreKey } from './model.js';
import type { OneTimeKeys } from './ports/key-bundle-repository.js';
import type { SignatureVerifier } from './ports/signature-verifier.js';
import { type Rule, ruleIssue } from './rules.js';

/** Type byte of libsignal's serialized EC public keys. */
export const EC_KEY_TYPE_BYTE = 0x05;
/** Raw X25519 public key. */
export const RAW_EC_PUBLIC_KEY_BYTES = 32;
/** libsignal's form: type byte `0x05` + 32. */
export const LIBSIGNAL_EC_PUBLIC_KEY_BYTES = 33;
/** libsignal's Kyber1024 form: a type byte + 1568. */
export const KYBER_PUBLIC_KEY_BYTES = 1569;
export const SIGNATURE_BYTES = 64;
/** Largest `registrationId` and `keyId` (2³¹−1). */
export const MAX_KEY_ID = 2 ** 31 - 1;
/** At most this many one-time keys of each kind in one request. */
export const MAX_ONE_TIME_KEYS_PER_REQUEST = 100;

/** True for an integer 0 … 2³¹−1 (a `keyId` or a `registrationId`). */
export function isKeyId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_KEY_ID;
}

export const KEY_ID_RULE: Rule<unknown> = {
  test: isKeyId,
  message: `Must be an integer 0 … ${MAX_KEY_ID}.`,
};

const HEX_BYTES = /^(?:[0-9a-fA-F]{2})+$/;

/** Hex digits of whole bytes, either case; the byte lengths are checked per kind of key. */
export const HEX_BYTES_RULE: Rule = {
  test: (value) => HEX_BYTES.test(value),
  message: 'Must be a non-empty hex string of whole bytes.',
  pattern: HEX_BYTES,
};

export const ONE_TIME_KEY_LIST_RULE: Rule<readonly unknown[]> = {
  test: (list) => list.length <= MAX_ONE_TIME_KEYS_PER_REQUEST,
  message: `At most ${MAX_ONE_TIME_KEYS_PER_REQUEST} keys per request.`,
};

/** A replenish without a single key. */
export const NO_ONE_TIME_KEYS_MESSAGE =
  'Give at least one key in oneTimePreKeys or kyberOneTimePreKeys.';

/** True for 32 raw bytes, or 33 bytes starting with `0x05` (EC public and identity keys). */
export function isEcPublicKeyBytes(bytes: Uint8Array): boolean {
  return (
    bytes.length === RAW_EC_PUBLIC_KEY_BYTES ||
    (bytes.length === LIBSIGNAL_EC_PUBLIC_KEY_BYTES && bytes[0] === EC_KEY_TYPE_BYTE)
  );
}

/** True when an identity key is in libsignal's 33-byte form, whose signatures are checked. */
export function isLibsignalIdentityKey(bytes: Uint8Array): boolean {
  return bytes.length === LIBSIGNAL_EC_PUBLIC_KEY_BYTES && bytes[0] === EC_KEY_TYPE_BYTE;
}

/** True for hex of a valid EC public key (also the identity key's rule). */
export function isEcPublicKeyHex(value: unknown): value is string {
  const bytes = decode(value);
  return bytes !== null && isEcPublicKeyBytes(bytes);
}

/** True for hex of exactly 1569 bytes. */
export function isKyberPublicKeyHex(value: unknown): value is string {
  return decode(value)?.length === KYBER_PUBLIC_KEY_BYTES;
}

/** True for hex of exactly 64 bytes. */
export function isSignatureHex(value: unknown): value is string {
  return decode(value)?.length === SIGNATURE_BYTES;
}

/** What `POST /api/keys/publish` carries, as typed by the edge. */
export interface PublishKeyMaterial {
  readonly identityKey: string;
  readonly registrationId: number;
  readonly signedPreKey: SignedPreKey;
  readonly oneTimePreKeys: readonly PreKey[];
  readonly kyberPreKey?: SignedPreKey | null;
  readonly kyberOneTimePreKeys?: readonly SignedPreKey[];
}

/** The one-time keys of a replenish request, both lists optional. */
export interface OneTimeKeyMaterial {
  readonly oneTimePreKeys?: readonly PreKey[];
  readonly kyberOneTimePreKeys?: readonly SignedPreKey[];
}

/**
 * Checks a publish body; returns the bundle head and one-time keys with
 * lowercase hex, or throws one `ValidationError` naming every offending field.
 */
export function checkPublishKeyMaterial(input: PublishKeyMaterial): {
  readonly head: KeyBundleHead;
  readonly keys: OneTimeKeys;
} {
  const issues: ValidationIssue[] = [];
  const identityKey = checkHex(input.identityKey, 'identityKey', 'ec', issues);
  if (!isKeyId(input.registrationId)) {
    issues.push({ path: 'registrationId', message: KEY_ID_RULE.message });
  }
  const signedPreKey = checkSignedKey(input.signedPreKey, 'signedPreKey', 'ec', issues);
  const preKeys = checkList(input.oneTimePreKeys, 'oneTimePreKeys', issues, checkPreKey);
  const kyberPreKey =
    input.kyberPreKey === undefined || input.kyberPreKey === null
      ? null
      : checkSignedKey(input.kyberPreKey, 'kyberPreKey', 'kyber', issues);
  const kyberPreKeys = checkList(
    input.kyberOneTimePreKeys ?? [],
    'kyberOneTimePreKeys',
    issues,
    (key, path) => checkSignedKey(key, path, 'kyber', issues),
  );
  if (issues.length > 0) throw new ValidationError(issues);
  return {
    head: { identityKey, registrationId: input.registrationId, signedPreKey, kyberPreKey },
    keys: { preKeys, kyberPreKeys },
  };
}

/**
 * Checks a replenish body: at least one non-empty list (else an issue at
 * `""`), and every key as in a publish. Returns the keys with lowercase hex.
 */
export function checkOneTimeKeyMaterial(input: OneTimeKeyMaterial): OneTimeKeys {
  const issues: ValidationIssue[] = [];
  const preKeys = checkList(input.oneTimePreKeys ?? [], 'oneTimePreKeys', issues, checkPreKey);
  const kyberPreKeys = checkList(
    input.kyberOneTimePreKeys ?? [],
    'kyberOneTimePreKeys',
    issues,
    (key, path) => checkSignedKey(key, path, 'kyber', issues),
  );
  if (issues.length === 0 && preKeys.length === 0 && kyberPreKeys.length === 0) {
    issues.push({ path: '', message: NO_ONE_TIME_KEYS_MESSAGE });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return { preKeys, kyberPreKeys };
}

/**
 * Applies the signature rule to checked keys: with an identity key in
 * libsignal's 33-byte form, true only when every key's `signature` verifies
 * over its `publicKey` bytes as given; with a 32-byte identity key, true
 * (signatures are stored unchecked).
 */
export async function verifyPrekeySignatures(
  verifier: SignatureVerifier,
  identityKey: string,
  keys: readonly SignedPreKey[],
): Promise<boolean> {
  const identity = hexToBytes(identityKey);
  if (identity === null || !isLibsignalIdentityKey(identity)) return true;
  const results = await Promise.all(
    keys.map((key) => {
      const message = hexToBytes(key.publicKey);
      const signature = hexToBytes(key.signature);
      if (message === null || signature === null) return false;
      return verifier.verify(identity, message, signature);
    }),
  );
  return results.every(Boolean);
}

type PublicKeyKind = 'ec' | 'kyber';

function decode(value: unknown): Uint8Array | null {
  return typeof value === 'string' && value.length > 0 ? hexToBytes(value) : null;
}

function checkHex(
  value: unknown,
  path: string,
  kind: PublicKeyKind | 'signature',
  issues: ValidationIssue[],
): string {
  const bytes = decode(value);
  if (bytes === null) {
    issues.push({ path, message: HEX_BYTES_RULE.message });
    return '';
  }
  if (kind === 'ec' && !isEcPublicKeyBytes(bytes)) {
    issues.push({ path, message: 'Must be 32 bytes, or 33 bytes starting with 05.' });
  } else if (kind === 'kyber' && bytes.length !== KYBER_PUBLIC_KEY_BYTES) {
    issues.push({ path, message: `Must be exactly ${KYBER_PUBLIC_KEY_BYTES} bytes.` });
  } else if (kind === 'signature' && bytes.length !== SIGNATURE_BYTES) {
    issues.push({ path, message: `Must be exactly ${SIGNATURE_BYTES} bytes.` });
  }
  return (value as string).toLowerCase();
}

function checkKeyId(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (!isKeyId(value)) issues.push({ path, message: KEY_ID_RULE.message });
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPreKey(key: PreKey, path: string, issues: ValidationIssue[]): PreKey {
  if (!isObject(key)) {
    issues.push({ path, message: 'Must be an object { keyId, publicKey }.' });
    return { keyId: -1, publicKey: '' };
  }
  checkKeyId(key.keyId, `${path}.keyId`, issues);
  const publicKey = checkHex(key.publicKey, `${path}.publicKey`, 'ec', issues);
  return { keyId: key.keyId, publicKey };
}

function checkSignedKey(
  key: SignedPreKey,
  path: string,
  kind: PublicKeyKind,
  issues: ValidationIssue[],
): SignedPreKey {
  if (!isObject(key)) {
    issues.push({ path, message: 'Must be an object { keyId, publicKey, signature }.' });
    return { keyId: -1, publicKey: '', signature: '' };
  }
  checkKeyId(key.keyId, `${path}.keyId`, issues);
  const publicKey = checkHex(key.publicKey, `${path}.publicKey`, kind, issues);
  const signature = checkHex(key.signature, `${path}.signature`, 'signature', issues);
  return { keyId: key.keyId, publicKey, signature };
}

function checkList<T extends PreKey>(
  list: readonly T[],
  path: string,
  issues: ValidationIssue[],
  checkOne: (key: T, path: string, issues: ValidationIssue[]) => T,
): T[] {
  if (!Array.isArray(list)) {
    issues.push({ path, message: 'Must be a list.' });
    return [];
  }
  const tooMany = ruleIssue(path, list, ONE_TIME_KEY_LIST_RULE);
  if (tooMany !== null) issues.push(tooMany);
  const seen = new Set<number>();
  return list.map((key, index) => {
    const checked = checkOne(key, `${path}.${index}`, issues);
    if (isKeyId(checked.keyId)) {
      if (seen.has(checked.keyId)) {
        issues.push({ path: `${path}.${index}.keyId`, message: 'Repeats a keyId of this list.' });
      }
      seen.add(checked.keyId);
    }
    return checked;
  });
}
