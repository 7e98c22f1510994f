import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import { createPlainBundle, keyIds } from '../../test/support/libsignal-keys.js';
import type { UserId } from '../model.js';
import { countPrekeys } from './count-prekeys.js';
import { fetchBundle } from './fetch-bundle.js';
import { publishKeyBundle } from './publish-key-bundle.js';

const alice = '65a1b2c3d4e5f60718293a4b' as UserId;
const bob = '65a1b2c3d4e5f60718293a4c' as UserId;

describe('countPrekeys', () => {
  it('answers { count: 0, kyberCount: 0 } before any publish', async () => {
    const { deps } = createCoreDeps();
    await expect(countPrekeys(deps, { userId: alice })).resolves.toEqual({
      count: 0,
      kyberCount: 0,
    });
  });

  it('counts both one-time pools, not the last-resort key', async () => {
    const { deps } = createCoreDeps();
    const body = createPlainBundle({ oneTimeIds: keyIds(4), kyberOneTimeIds: keyIds(2) });
    await publishKeyBundle(deps, { userId: alice, ...body });
    await expect(countPrekeys(deps, { userId: alice })).resolves.toEqual({
      count: 4,
      kyberCount: 2,
    });
  });

  it('goes down with every one-time key a fetch takes', async () => {
    const { deps } = createCoreDeps();
    const body = createPlainBundle({ oneTimeIds: keyIds(2), kyberOneTimeIds: keyIds(1) });
    await publishKeyBundle(deps, { userId: alice, ...body });
    await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    await expect(countPrekeys(deps, { userId: alice })).resolves.toEqual({
      count: 1,
      kyberCount: 0,
    });
    await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    await fetchBundle(deps, { requesterId: bob, ownerId: alice });
    await expect(countPrekeys(deps, { userId: alice })).resolves.toEqual({
      count: 0,
      kyberCount: 0,
    });
  });

  it('counts only the caller’s own pools', async () => {
    const { deps } = createCoreDeps();
    await publishKeyBundle(deps, { userId: alice, ...createPlainBundle() });
    await expect(countPrekeys(deps, { userId: bob })).resolves.toEqual({
      count: 0,
      kyberCount: 0,
    });
  });
});
