/** @module Hex strings to bytes, without Node's Buffer (the core runs anywhere). */

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of an even-length hex string of either case, or null when it is not one. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (!HEX.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) {
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }
  return bytes;
}
