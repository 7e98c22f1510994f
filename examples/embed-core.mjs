/**
 * @module The core embedded in another program, with no HTTP and no database:
 * the in-memory adapters, and the three secret-bearing ports (passwords,
 * tokens, signatures) supplied by the embedder. Registers two users, sends a
 * message, publishes Bob's key bundle and fetches it as Alice.
 *
 * Usage (from the repository root, after `npm run build`):
 *
 *   node examples/embed-core.mjs
 *
 * Another package imports the same entries once it depends on this one.
 */
import { fetchBundle, publishKeyBundle, register, sendMessage } from 'my-calls-backend/core';
import { createMemoryDeps } from 'my-calls-backend/memory';

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const randomHex = (length) => hex(crypto.getRandomValues(new Uint8Array(length)));

const tokens = new Map();
const deps = createMemoryDeps({
  // A real embedder hashes with argon2id or scrypt: this only keeps the example short.
  passwords: {
    hash: async (password) => `plain:${password}`,
    verify: async (hash, password) => hash === `plain:${password}`,
    verifyNothing: async () => false,
  },
  tokens: {
    async issue(userId) {
      const token = randomHex(16);
      const expiresAt = new Date(Date.now() + 3_600_000);
      tokens.set(token, { userId, expiresAt });
      return { token, expiresAt };
    },
    async verify(token) {
      const found = tokens.get(token);
      if (found === undefined) throw new Error('unknown token');
      return found;
    },
  },
  // Bundles with a 32-byte identity key carry signatures the core stores unchecked.
  signatures: { verify: async () => false },
});

const alice = await register(deps, {
  phoneNumber: '+1 555 010 0001',
  username: 'alice',
  displayName: 'Alice',
  password: 'correct horse battery',
});
const bob = await register(deps, {
  phoneNumber: '+1 555 010 0002',
  username: null,
  displayName: 'Bob',
  password: 'staple battery horse',
});

const { message } = await sendMessage(deps, {
  senderId: alice.user.id,
  receiverId: bob.user.id,
  content: 'Hello Bob',
});

const signed = (keyId, length) => ({
  keyId,
  publicKey: randomHex(length),
  signature: randomHex(64),
});
const counts = await publishKeyBundle(deps, {
  userId: bob.user.id,
  identityKey: randomHex(32),
  registrationId: 4242,
  signedPreKey: signed(1, 32),
  oneTimePreKeys: [{ keyId: 1, publicKey: randomHex(32) }],
  kyberPreKey: signed(100, 1569),
  kyberOneTimePreKeys: [signed(2, 1569)],
});
const bundle = await fetchBundle(deps, { requesterId: alice.user.id, ownerId: bob.user.id });

console.log(
  JSON.stringify({
    users: [alice.user.displayName, bob.user.displayName],
    message: { from: message.senderId === alice.user.id ? 'Alice' : '?', content: message.content },
    published: counts,
    fetched: {
      registrationId: bundle.registrationId,
      oneTimePreKey: bundle.oneTimePreKey?.keyId ?? null,
      kyberPreKey: bundle.kyberPreKey?.keyId ?? null,
    },
  }),
);
