import { describe, expect, it } from 'vitest';
import type { UserId } from '../../core/index.js';
import { plainEcKey, plainPreKeys, plainSignature } from '../../test/support/libsignal-keys.js';
import { createMemoryKeyBundleRepository } from './key-bundle-repository.js';

// The port's guarantees are covered by the shared contract suite and the use-case
// tests; these cover what the use cases never reach.
const alice = '65a1b2c3d4e5f60718293a4b' as UserId;

function head(generation: string, identityKey = plainEcKey(1)) {
  return {
    identityKey,
    registrationId: 1,
    signedPreKey: { keyId: 1, publicKey: plainEcKey(2), signature: plainSignature(1) },
    kyberPreKey: null,
    generation,
  };
}

const noKyber = { kyberPreKeys: [] };

describe('memory key bundle repository', () => {
  it('answers null from replenish when the user has no bundle', async () => {
    const repo = createMemoryKeyBundleRepository();
    await expect(
      repo.replenish(
        alice,
        { preKeys: plainPreKeys([1]), ...noKyber, identityKey: plainEcKey(1) },
        1000,
      ),
    ).resolves.toBeNull();
    await expect(repo.count(alice)).resolves.toEqual({ count: 0, kyberCount: 0 });
  });

  it('takes nothing for a claim that names a generation replaced twice', async () => {
    const repo = createMemoryKeyBundleRepository();
    await repo.publish(alice, head('g1'), { preKeys: plainPreKeys([1, 2]), ...noKyber });
    await repo.publish(alice, head('g2'), { preKeys: plainPreKeys([1, 2]), ...noKyber });
    await repo.publish(alice, head('g3'), { preKeys: plainPreKeys([1, 2]), ...noKyber });
    await expect(repo.claimPreKey(alice, 'g1')).resolves.toBeNull();
    await expect(repo.count(alice)).resolves.toEqual({ count: 2, kyberCount: 0 });
    await expect(repo.claimPreKey(alice, 'g3')).resolves.toMatchObject({ keyId: 1 });
  });

  it('drops a keyId claimed from the replaced generation from the current pool too', async () => {
    const repo = createMemoryKeyBundleRepository();
    await repo.publish(alice, head('g1'), { preKeys: plainPreKeys([1, 2]), ...noKyber });
    await repo.publish(alice, head('g2'), { preKeys: plainPreKeys([1, 2]), ...noKyber });
    await expect(repo.claimPreKey(alice, 'g1')).resolves.toMatchObject({ keyId: 1 });
    await expect(repo.count(alice)).resolves.toEqual({ count: 1, kyberCount: 0 });
    await expect(repo.claimPreKey(alice, 'g2')).resolves.toMatchObject({ keyId: 2 });
  });

  it('keeps the first of keys repeating a keyId in one call', async () => {
    const repo = createMemoryKeyBundleRepository();
    const keys = [...plainPreKeys([2, 1]), ...plainPreKeys([1], 5)];
    await expect(repo.publish(alice, head('g1'), { preKeys: keys, ...noKyber })).resolves.toEqual({
      count: 2,
      kyberCount: 0,
    });
    await expect(repo.claimPreKey(alice, 'g1')).resolves.toEqual({
      ...plainPreKeys([1])[0],
      poolLeft: 1,
    });
  });

  it('remembers what was handed out under an identity key that comes back', async () => {
    const repo = createMemoryKeyBundleRepository();
    const keys = { preKeys: plainPreKeys([1, 2]), ...noKyber };
    await repo.publish(alice, head('g1', plainEcKey(10)), keys);
    await repo.claimPreKey(alice, 'g1');
    await repo.publish(alice, head('g2', plainEcKey(11)), keys);
    await expect(repo.count(alice)).resolves.toEqual({ count: 2, kyberCount: 0 });
    await repo.publish(alice, head('g3', plainEcKey(10)), keys);
    await expect(repo.count(alice)).resolves.toEqual({ count: 1, kyberCount: 0 });
  });
});
