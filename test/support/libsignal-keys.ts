/**
 * @module Key material for tests: bundles made with real libsignal keys (33-byte
 * identity, so the core checks every signature) and plain fixed-length keys
 * (32-byte identity, signatures stored unchecked) for the value rules.
 */
import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';
import type { PreKey, PublishKeyBundleInput, SignedPreKey } from '../../core/index.js';

export { createLibsignalSignatureVerifier } from '../../adapters/crypto/libsignal-signature-verifier.js';

/** A publish body without the caller's id. */
export type BundleBody = Omit<PublishKeyBundleInput, 'userId'>;

/** Lowercase hex of `bytes` (no Buffer: the core's tests also run in a browser). */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The `keyId`s `first`, `first + 1`, … (`count` of them). */
export function keyIds(count: number, first = 1): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

export interface LibsignalBundleOptions {
  readonly oneTimeCount?: number;
  readonly kyberOneTimeCount?: number;
  /** False for a bundle without a last-resort Kyber key. */
  readonly lastResort?: boolean;
  readonly identity?: IdentityKeyPair;
}

/** A valid bundle signed by a fresh (or the given) libsignal identity; one-time keyIds start at 1. */
export function createLibsignalBundle(options: LibsignalBundleOptions = {}): {
  readonly identity: IdentityKeyPair;
  readonly body: BundleBody;
} {
  const identity = options.identity ?? IdentityKeyPair.generate();
  const signedPublicKey = PrivateKey.generate().getPublicKey().serialize();
  const body: BundleBody = {
    identityKey: toHex(identity.publicKey.serialize()),
    registrationId: 4242,
    signedPreKey: signKey(identity, 7, signedPublicKey),
    oneTimePreKeys: keyIds(options.oneTimeCount ?? 3).map((keyId) => ({
      keyId,
      publicKey: toHex(PrivateKey.generate().getPublicKey().serialize()),
    })),
    kyberPreKey: options.lastResort === false ? null : createLibsignalKyberKeys(identity, [9])[0],
    kyberOneTimePreKeys: createLibsignalKyberKeys(identity, keyIds(options.kyberOneTimeCount ?? 3)),
  };
  return { identity, body };
}

/** Kyber keys with the given `keyId`s, each signed by `identity`. */
export function createLibsignalKyberKeys(
  identity: IdentityKeyPair,
  ids: readonly number[],
): SignedPreKey[] {
  return ids.map((keyId) =>
    signKey(identity, keyId, KEMKeyPair.generate().getPublicKey().serialize()),
  );
}

function signKey(
  identity: IdentityKeyPair,
  keyId: number,
  publicKey: Uint8Array<ArrayBuffer>,
): SignedPreKey {
  return {
    keyId,
    publicKey: toHex(publicKey),
    signature: toHex(identity.privateKey.sign(publicKey)),
  };
}

/** `signature` with its first byte flipped: right length, wrong value. */
export function corruptSignature<T extends SignedPreKey>(key: T): T {
  const first = (Number.parseInt(key.signature.slice(0, 2), 16) ^ 0xff).toString(16);
  return { ...key, signature: first.padStart(2, '0') + key.signature.slice(2) };
}

/** Deterministic hex of `length` bytes; different `seed`s give different strings. */
export function plainHex(length: number, seed: number): string {
  const bytes = new Uint8Array(length);
  new DataView(bytes.buffer).setUint32(0, seed >>> 0);
  for (let i = 4; i < length; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return toHex(bytes);
}

/** A 32-byte EC public key (raw X25519 form). */
export function plainEcKey(seed: number): string {
  return plainHex(32, seed);
}

/** A 1569-byte Kyber public key. */
export function plainKyberKey(seed: number): string {
  return plainHex(1569, seed);
}

/** A 64-byte signature (never checked: plain bundles have a 32-byte identity key). */
export function plainSignature(seed: number): string {
  return plainHex(64, seed);
}

/** One-time EC keys; `salt` tells keys of two publishes apart. */
export function plainPreKeys(ids: readonly number[], salt = 0): PreKey[] {
  return ids.map((keyId) => ({ keyId, publicKey: plainEcKey(salt * 100_000 + keyId) }));
}

/** One-time (or last-resort) Kyber keys; `salt` tells keys of two publishes apart. */
export function plainKyberPreKeys(ids: readonly number[], salt = 0): SignedPreKey[] {
  return ids.map((keyId) => ({
    keyId,
    publicKey: plainKyberKey(salt * 100_000 + keyId),
    signature: plainSignature(keyId),
  }));
}

export interface PlainBundleOptions {
  readonly oneTimeIds?: readonly number[];
  readonly kyberOneTimeIds?: readonly number[];
  /** False for a bundle without a last-resort Kyber key. */
  readonly lastResort?: boolean;
  /** Changes the identity key and every public key, to tell two publishes apart. */
  readonly salt?: number;
}

/** A valid bundle with a 32-byte identity key; defaults to keyIds 1–3 in both pools. */
export function createPlainBundle(options: PlainBundleOptions = {}): BundleBody {
  const salt = options.salt ?? 0;
  return {
    identityKey: plainEcKey(900_000 + salt),
    registrationId: 1234,
    signedPreKey: { keyId: 1, publicKey: plainEcKey(800_000 + salt), signature: plainSignature(1) },
    oneTimePreKeys: plainPreKeys(options.oneTimeIds ?? keyIds(3), salt),
    kyberPreKey: options.lastResort === false ? null : plainKyberPreKeys([500], salt)[0],
    kyberOneTimePreKeys: plainKyberPreKeys(options.kyberOneTimeIds ?? keyIds(3), salt),
  };
}
