/**
 * @module The part of `@signalapp/libsignal-client` the core's tests use
 * (Curve25519 key pairs, their XEdDSA signatures, Kyber public keys), in
 * plain JavaScript on @noble/curves, for Chromium, where libsignal's native
 * addon cannot load. test/runtimes/vitest.config.ts aliases the package to
 * this module in the browser project only; libsignal-stand-in.test.ts checks
 * in Node that libsignal itself accepts what this signs and the reverse, so
 * the browser run checks the same signatures as the real library.
 *
 * XEdDSA as libsignal computes it: the Edwards form of the key signs, and the
 * sign bit of its x coordinate travels in the top bit of the signature's last
 * byte, from which the verifier rebuilds the Edwards key from the Montgomery u.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

const EC_TYPE = 0x05;
const KYBER_TYPE = 0x08;
const KYBER1024_PUBLIC_KEY_BYTES = 1568;
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
const littleEndian = (bytes: Uint8Array) =>
  bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
function toLittleEndian(value: bigint): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}
function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base, P);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}
function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export class PublicKey {
  private constructor(private readonly u: Uint8Array) {}

  static deserialize(bytes: Uint8Array): PublicKey {
    if (bytes.length !== 33 || bytes[0] !== EC_TYPE) throw new Error('bad public key');
    return new PublicKey(bytes.slice(1));
  }

  /** @internal */
  static fromMontgomery(u: Uint8Array): PublicKey {
    return new PublicKey(u);
  }

  serialize(): Uint8Array<ArrayBuffer> {
    return concat(Uint8Array.of(EC_TYPE), this.u);
  }

  verify(message: Uint8Array, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    // The Edwards y of Montgomery u is (u − 1) / (u + 1); its x sign bit is in the signature.
    const u = mod(littleEndian(this.u) & ((1n << 255n) - 1n), P);
    if (u === P - 1n) return false;
    const y = mod((u - 1n) * power(u + 1n, P - 2n), P);
    const edwards = toLittleEndian(y);
    edwards[31] = (edwards[31]! & 0x7f) | (signature[63]! & 0x80);
    const plain = signature.slice();
    plain[63] = plain[63]! & 0x7f;
    try {
      return ed25519.verify(plain, message, edwards, { zip215: false });
    } catch {
      return false;
    }
  }
}

export class PrivateKey {
  private constructor(private readonly scalar: Uint8Array<ArrayBuffer>) {}

  static generate(): PrivateKey {
    const key = crypto.getRandomValues(new Uint8Array(32));
    key[0] = key[0]! & 248;
    key[31] = (key[31]! & 127) | 64;
    return new PrivateKey(key);
  }

  serialize(): Uint8Array<ArrayBuffer> {
    return this.scalar.slice();
  }

  getPublicKey(): PublicKey {
    return PublicKey.fromMontgomery(x25519.getPublicKey(this.scalar));
  }

  sign(message: Uint8Array): Uint8Array<ArrayBuffer> {
    const a = mod(littleEndian(this.scalar), L);
    const publicEdwards = ed25519.Point.BASE.multiply(a).toBytes();
    const signBit = publicEdwards[31]! & 0x80;
    const prefix = concat(Uint8Array.of(0xfe), new Uint8Array(31).fill(0xff));
    const random = crypto.getRandomValues(new Uint8Array(64));
    const r = mod(littleEndian(sha512(concat(prefix, this.scalar, message, random))), L);
    const R = ed25519.Point.BASE.multiply(r).toBytes();
    const h = mod(littleEndian(sha512(concat(R, publicEdwards, message))), L);
    const s = toLittleEndian(mod(h * a + r, L));
    s[31] = (s[31]! & 0x7f) | signBit;
    return concat(R, s);
  }
}

export class IdentityKeyPair {
  constructor(
    readonly publicKey: PublicKey,
    readonly privateKey: PrivateKey,
  ) {}

  static generate(): IdentityKeyPair {
    const privateKey = PrivateKey.generate();
    return new IdentityKeyPair(privateKey.getPublicKey(), privateKey);
  }
}

/** Only the public key's form: the core stores Kyber keys and checks their signatures, never uses them. */
export class KEMKeyPair {
  private constructor(private readonly publicBytes: Uint8Array<ArrayBuffer>) {}

  static generate(): KEMKeyPair {
    const key = crypto.getRandomValues(new Uint8Array(KYBER1024_PUBLIC_KEY_BYTES));
    return new KEMKeyPair(concat(Uint8Array.of(KYBER_TYPE), key));
  }

  getPublicKey(): { serialize(): Uint8Array<ArrayBuffer> } {
    return { serialize: () => this.publicBytes.slice() };
  }
}
