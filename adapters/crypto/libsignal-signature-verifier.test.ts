import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';
import { describe, expect, it } from 'vitest';
import { createLibsignalSignatureVerifier } from './libsignal-signature-verifier.js';

function signed() {
  const identity = IdentityKeyPair.generate();
  const message = PrivateKey.generate().getPublicKey().serialize();
  return {
    identity,
    identityKey: identity.publicKey.serialize(),
    message,
    signature: identity.privateKey.sign(message),
  };
}

function flipped(bytes: Uint8Array, at = 0): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

describe('libsignal signature verifier', () => {
  const verifier = createLibsignalSignatureVerifier();

  it('accepts a libsignal signature over a serialized EC public key', async () => {
    const { identityKey, message, signature } = signed();
    expect(identityKey).toHaveLength(33);
    expect(signature).toHaveLength(64);
    await expect(verifier.verify(identityKey, message, signature)).resolves.toBe(true);
  });

  it('accepts a libsignal signature over a serialized Kyber public key', async () => {
    const { identity, identityKey } = signed();
    const kyber = KEMKeyPair.generate().getPublicKey().serialize();
    expect(kyber).toHaveLength(1569);
    const signature = identity.privateKey.sign(kyber);
    await expect(verifier.verify(identityKey, kyber, signature)).resolves.toBe(true);
  });

  it('accepts views onto a larger buffer', async () => {
    const { identityKey, message, signature } = signed();
    const backing = new Uint8Array(200);
    backing.set(identityKey, 1);
    backing.set(signature, 40);
    await expect(
      verifier.verify(backing.subarray(1, 34), message, backing.subarray(40, 104)),
    ).resolves.toBe(true);
  });

  it('refuses a changed message, a changed signature or another identity key', async () => {
    const { identityKey, message, signature } = signed();
    await expect(verifier.verify(identityKey, flipped(message, 5), signature)).resolves.toBe(false);
    await expect(verifier.verify(identityKey, message, flipped(signature, 10))).resolves.toBe(
      false,
    );
    const other = signed().identityKey;
    await expect(verifier.verify(other, message, signature)).resolves.toBe(false);
  });

  it('answers false, never throws, for keys and signatures it cannot read', async () => {
    const { identityKey, message, signature } = signed();
    for (const [key, sig] of [
      [identityKey.subarray(1), signature],
      [flipped(identityKey, 0), signature],
      [new Uint8Array(0), signature],
      [identityKey, signature.subarray(0, 63)],
      [identityKey, new Uint8Array(0)],
    ] as const) {
      await expect(verifier.verify(key, message, sig)).resolves.toBe(false);
    }
  });
});
