/** @module Prekey signatures checked with libsignal (XEdDSA, as Signal clients sign them). */
import { PublicKey } from '@signalapp/libsignal-client';
import type { SignatureVerifier } from '../../core/index.js';

/** Verifies with libsignal's own code; any key or signature it cannot read is simply invalid. */
export function createLibsignalSignatureVerifier(): SignatureVerifier {
  return {
    async verify(identityKey, message, signature) {
      try {
        // libsignal wants plain ArrayBuffer-backed views; copying also detaches
        // the check from buffers the caller may reuse.
        return PublicKey.deserialize(new Uint8Array(identityKey)).verify(
          new Uint8Array(message),
          new Uint8Array(signature),
        );
      } catch {
        return false;
      }
    },
  };
}
