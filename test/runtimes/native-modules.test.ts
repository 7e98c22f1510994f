/**
 * The server's native addons load and work on the Node running the tests
 * (npm run test:runtimes runs this on Node 22 and 24 too): a loader failure
 * here names the module, where the adapters' own tests would only fail.
 */

import { nice } from '@napi-rs/nice';
import { hash, verify } from '@node-rs/argon2';
import { PrivateKey } from '@signalapp/libsignal-client';
import { describe, expect, it } from 'vitest';

describe(`native modules on Node ${process.versions.node}`, () => {
  it('@node-rs/argon2 hashes and verifies', async () => {
    const hashed = await hash('correct horse', { memoryCost: 1024, timeCost: 1 });
    await expect(verify(hashed, 'correct horse')).resolves.toBe(true);
  });

  it('@signalapp/libsignal-client signs and verifies', () => {
    const key = PrivateKey.generate();
    const message = new TextEncoder().encode('hello');
    expect(key.getPublicKey().verify(message, key.sign(message))).toBe(true);
  });

  it('@napi-rs/nice (piscina lowers its hashing threads with it) reads the nice value', () => {
    expect(nice(0)).toBeTypeOf('number');
  });
});
