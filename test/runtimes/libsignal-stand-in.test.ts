/** The browser's stand-in for libsignal signs and verifies exactly as libsignal does. */
import * as libsignal from '@signalapp/libsignal-client';
import { describe, expect, it } from 'vitest';
import * as standIn from './libsignal-stand-in.js';

const message = new TextEncoder().encode('a signed prekey');
const flipped = (bytes: Uint8Array, at: number) => {
  const copy = new Uint8Array(bytes);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};

describe('libsignal stand-in', () => {
  // Twenty keys: about half of them have an Edwards form with the sign bit set.
  const rounds = Array.from({ length: 20 }, (_, i) => i);

  it.each(rounds)('signs what libsignal accepts, and nothing else (key %i)', (_round) => {
    const pair = standIn.IdentityKeyPair.generate();
    const signature = pair.privateKey.sign(message);
    const publicKey = libsignal.PublicKey.deserialize(pair.publicKey.serialize());
    expect(publicKey.verify(message, signature)).toBe(true);
    expect(publicKey.verify(flipped(message, 0), signature)).toBe(false);
    expect(publicKey.verify(message, flipped(signature, 5))).toBe(false);
  });

  it.each(rounds)('accepts what libsignal signs, and nothing else (key %i)', (_round) => {
    const pair = libsignal.IdentityKeyPair.generate();
    const signature = pair.privateKey.sign(message);
    const publicKey = standIn.PublicKey.deserialize(pair.publicKey.serialize());
    expect(publicKey.verify(message, signature)).toBe(true);
    expect(publicKey.verify(flipped(message, 0), signature)).toBe(false);
    expect(publicKey.verify(message, flipped(signature, 40))).toBe(false);
    expect(publicKey.verify(message, flipped(signature, 63))).toBe(false);
    const other = standIn.PublicKey.deserialize(
      libsignal.PrivateKey.generate().getPublicKey().serialize(),
    );
    expect(other.verify(message, signature)).toBe(false);
  });

  it('serializes keys in libsignal forms: 33-byte EC keys with 05, 1569-byte Kyber keys with 08', () => {
    const ec = standIn.PrivateKey.generate().getPublicKey().serialize();
    expect(libsignal.PublicKey.deserialize(ec).serialize()).toEqual(ec);
    const kyber = standIn.KEMKeyPair.generate().getPublicKey().serialize();
    const real = libsignal.KEMKeyPair.generate().getPublicKey().serialize();
    expect([kyber.length, kyber[0]]).toEqual([real.length, real[0]]);
    expect(() => standIn.PublicKey.deserialize(ec.slice(1))).toThrow();
  });
});
