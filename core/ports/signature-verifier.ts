/** @module Verification of prekey signatures made with an identity key. */

export interface SignatureVerifier {
  /**
   * True when `signature` (64 bytes) is a valid XEdDSA signature of `message`
   * by `identityKey` in libsignal's 33-byte form (`0x05` + X25519 key).
   * False for any invalid signature or key; never throws for bad input.
   */
  verify(identityKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}
