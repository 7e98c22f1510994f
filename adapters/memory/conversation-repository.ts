/** @module In-memory conversations. */
import type {
  Conversation,
  ConversationId,
  ConversationRepository,
  IdGenerator,
  Message,
  UserId,
} from '../../core/index.js';
import { compareMessages, conversationParticipants } from '../../core/index.js';

interface Row {
  readonly id: ConversationId;
  readonly participants: readonly [UserId, UserId];
  lastMessage: Message | null;
}

export function createMemoryConversationRepository(ids: IdGenerator): ConversationRepository {
  const byPair = new Map<string, Row>();
  const byId = new Map<string, Row>();
  /** Each user's conversations, so a user's list or peers never walk everyone's. */
  const byUser = new Map<UserId, Set<Row>>();
  const rowsOf = (userId: UserId): Iterable<Row> => byUser.get(userId) ?? [];

  return {
    async ensure(a, b) {
      const participants = conversationParticipants(a, b);
      const key = participants.join(':');
      let row = byPair.get(key);
      if (!row) {
        row = { id: ids.newId() as ConversationId, participants, lastMessage: null };
        byPair.set(key, row);
        byId.set(row.id, row);
        for (const userId of new Set(participants)) {
          const rows = byUser.get(userId);
          if (rows) rows.add(row);
          else byUser.set(userId, new Set([row]));
        }
      }
      return row.id;
    },
    async find(a, b) {
      return byPair.get(conversationParticipants(a, b).join(':'))?.id ?? null;
    },
    async recordMessage(message) {
      const row = byId.get(message.conversationId);
      if (!row) return;
      if (row.lastMessage === null || compareMessages(row.lastMessage, message) < 0) {
        row.lastMessage = message;
      }
    },
    async listForUser(userId, { limit, offset }) {
      const mine: Conversation[] = [];
      for (const row of rowsOf(userId)) {
        if (row.lastMessage !== null) {
          mine.push({ id: row.id, participants: row.participants, lastMessage: row.lastMessage });
        }
      }
      mine.sort((x, y) => compareMessages(y.lastMessage, x.lastMessage));
      return mine.slice(offset, offset + limit);
    },
    async remove(conversationId) {
      const row = byId.get(conversationId);
      if (!row) return;
      byId.delete(conversationId);
      byPair.delete(row.participants.join(':'));
      for (const userId of row.participants) {
        const rows = byUser.get(userId);
        rows?.delete(row);
        if (rows?.size === 0) byUser.delete(userId);
      }
    },
    async peersOf(userId) {
      const peers = new Set<UserId>();
      for (const row of rowsOf(userId)) {
        const [a, b] = row.participants;
        if (a === userId && b !== userId) peers.add(b);
        else if (b === userId && a !== userId) peers.add(a);
      }
      return [...peers];
    },
  };
}
