/**
 * @module Collection names and every index the MongoDB adapters rely on,
 * created idempotently at start-up. The unique indexes carry the adapters'
 * guarantees (one phone, one username, one message per client id, one
 * conversation per pair, a key handed out once), so the store must not serve
 * before `ensureIndexes` succeeded. (The call history's guarantees rest on
 * `_id` alone, which every collection has.) No partial, sparse or collation indexes:
 * FerretDB 1.24 rejects partial and collation ones, and the design needs none.
 */
import type { Db, IndexDescription } from 'mongodb';

/** Every collection the adapters own. */
export const COLLECTIONS = {
  users: 'users',
  messages: 'messages',
  conversations: 'conversations',
  /** Candidates for each conversation's last message (see conversation-repository.ts). */
  conversationHeads: 'conversation_heads',
  keyBundles: 'key_bundles',
  oneTimeKeys: 'one_time_keys',
  /** The record of one-time keys handed out, per identity key. */
  handedOutKeys: 'handed_out_keys',
  /** Short leases that serialize a user's replenishes. */
  keyLocks: 'key_locks',
  /** The call history, one document per call, `_id` the client's callId (see call-repository.ts). */
  calls: 'calls',
  /** Each call's answer and end, an append-only log keyed by step (see call-repository.ts). */
  callTransitions: 'call_transitions',
  /** Signed-in devices, `_id` the session id (see session-repository.ts). */
  sessions: 'sessions',
  /** Phone verifications, `_id` the verification id (see verification-repository.ts). */
  verifications: 'verifications',
  /** Single-use claims of attempts, codes and use (see verification-repository.ts). */
  verificationClaims: 'verification_claims',
  /** Who blocks whom, `_id` = `<blocker>:<blocked>` (see block-repository.ts). */
  blocks: 'blocks',
  /** Account deletions recorded and not finished, `_id` the user's ObjectId (see user-repository.ts). */
  userDeletions: 'user_deletions',
  /** Each user's event log, unique on (userId, seq) (see event-log.ts). */
  events: 'events',
  /** Where each user read each conversation up to, `_id` per mark (see read-mark-repository.ts). */
  readMarks: 'read_marks',
  /** When each message first reached its receiver, `_id` the message id (see delivery-repository.ts). */
  deliveries: 'deliveries',
} as const;

/** The indexes of each collection, by name. */
export const INDEXES: Readonly<Record<string, readonly IndexDescription[]>> = {
  [COLLECTIONS.users]: [
    { name: 'users_phone_unique', key: { phoneNumber: 1 }, unique: true },
    // usernameKey is the lowercase username, or '#' + _id when there is none.
    { name: 'users_username_unique', key: { usernameKey: 1 }, unique: true },
  ],
  [COLLECTIONS.messages]: [
    // clientKey is 'c:' + clientMessageId, or 'n:' + _id when there is none.
    { name: 'messages_client_unique', key: { senderId: 1, clientKey: 1 }, unique: true },
    { name: 'messages_order', key: { conversationId: 1, createdAt: -1, _id: -1 } },
    // Who may see whose phone number (hasSent): one index probe per profile read.
    { name: 'messages_by_pair', key: { senderId: 1, receiverId: 1 } },
  ],
  [COLLECTIONS.conversations]: [
    { name: 'conversations_pair_unique', key: { a: 1, b: 1 }, unique: true },
    // With the pair index (for `a`), finds a user's peers (`peersOf`).
    { name: 'conversations_by_b', key: { b: 1 } },
  ],
  [COLLECTIONS.conversationHeads]: [
    { name: 'heads_message_unique', key: { conversationId: 1, messageId: 1 }, unique: true },
    { name: 'heads_order', key: { conversationId: 1, at: -1, messageId: -1 } },
    { name: 'heads_by_participant', key: { participants: 1, at: -1, messageId: -1 } },
  ],
  [COLLECTIONS.oneTimeKeys]: [
    {
      name: 'one_time_keys_unique',
      key: { userId: 1, generation: 1, kind: 1, keyId: 1 },
      unique: true,
    },
  ],
  [COLLECTIONS.handedOutKeys]: [
    {
      name: 'handed_out_unique',
      key: { userId: 1, identityKey: 1, kind: 1, keyId: 1 },
      unique: true,
    },
  ],
  // Newest first (startedAt, then callId, both descending); the uniqueness of
  // calls and of their transitions is `_id`'s, which needs no index here.
  // A user's block list, newest first; and every block naming a user, for deletion.
  [COLLECTIONS.blocks]: [
    { name: 'blocks_by_blocker', key: { blockerId: 1, blockedAt: -1, blockedId: 1 } },
    { name: 'blocks_by_blocked', key: { blockedId: 1 } },
  ],
  [COLLECTIONS.calls]: [
    { name: 'calls_by_participant', key: { participants: 1, startedAt: -1, _id: -1 } },
  ],
  [COLLECTIONS.readMarks]: [
    { name: 'read_marks_newest', key: { userId: 1, conversationId: 1, at: -1, messageId: -1 } },
  ],
  // Erasing a conversation's delivery marks with its messages.
  [COLLECTIONS.deliveries]: [{ name: 'deliveries_by_conversation', key: { conversationId: 1 } }],
  // The event log's `seq` allocation and its reads in `seq` order.
  [COLLECTIONS.events]: [{ name: 'events_user_seq', key: { userId: 1, seq: 1 }, unique: true }],
  // A device's push address is taken off other sessions by this index (session-repository.ts).
  [COLLECTIONS.sessions]: [
    { name: 'sessions_by_user', key: { userId: 1, createdAt: -1 } },
    { name: 'sessions_by_push_address', key: { pushAddress: 1 } },
  ],
  // The claims' exactness is `_id`'s; these serve reads and the sweep of old verifications.
  [COLLECTIONS.verifications]: [{ name: 'verifications_by_expiry', key: { expiresAt: 1 } }],
  [COLLECTIONS.verificationClaims]: [
    { name: 'verification_claims_by_verification', key: { verificationId: 1 } },
  ],
};

/**
 * Creates every index. Idempotent: an index that exists with the same key and
 * options is left alone; one with the same name but other options fails
 * loudly (IndexOptionsConflict), since the adapters' guarantees depend on it.
 *
 * Each index is its own `createIndexes` call: FerretDB 1.24.2 panics and drops
 * the connection when one call lists two or more indexes that all exist
 * already, which would stop every restart and every second instance.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  await Promise.all(
    Object.entries(INDEXES).map(async ([collection, indexes]) => {
      for (const index of indexes) await db.collection(collection).createIndexes([index]);
    }),
  );
}
