/** @module Sends a one-to-one message. */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError } from '../errors.js';
import type { ConversationId, Message, MessageId, UserId } from '../model.js';
import {
  CLIENT_MESSAGE_ID_RULE,
  MESSAGE_CONTENT_RULE,
  MESSAGE_TYPE_RULE,
  ruleIssue,
} from '../rules.js';
import { withFields } from '../with-fields.js';
import { type AppendEventDeps, appendEvent } from './sync/append-event.js';

export interface SendMessageInput {
  readonly senderId: UserId;
  readonly receiverId: string;
  readonly content: string;
  readonly messageType?: string;
  readonly clientMessageId?: string;
  /** The sending device's connection, which does not get its own message pushed back. */
  readonly senderConnectionId?: string;
}

export interface SentMessage {
  readonly message: Message;
  /** False when a retry matched an earlier `clientMessageId`: nothing was stored or pushed. */
  readonly created: boolean;
}

/**
 * Stores a message, logs `new-message` in the receiver's and the sender's
 * event logs and pushes it (with each one's `seq`) to the receiver's
 * connections and the sender's other connections. A retry with the same `clientMessageId`
 * returns the first message stored under it, whatever its content, and
 * changes nothing.
 *
 * To a receiver who blocks the sender it looks the same to the sender (the
 * message is answered and pushed to the sender's other connections) but
 * nothing is stored and the receiver gets nothing (docs/API.md, "Blocking"); the
 * sender's own log gets it, as it would a delivered one.
 */
export async function sendMessage(
  deps: Pick<
    Deps,
    'users' | 'messages' | 'conversations' | 'notifier' | 'clock' | 'ids' | 'blocks'
  > &
    AppendEventDeps,
  input: SendMessageInput,
): Promise<SentMessage> {
  const messageType = input.messageType ?? 'text';
  const clientMessageId = input.clientMessageId ?? null;
  assertValid(input.content, messageType, clientMessageId);

  if (clientMessageId !== null) {
    const earlier = await deps.messages.findByClientMessageId(input.senderId, clientMessageId);
    if (earlier) return { message: earlier, created: false };
  }
  const [receiver, block] = await Promise.all([
    deps.users.findById(input.receiverId),
    deps.blocks.find(input.receiverId, input.senderId),
  ]);
  if (!receiver) throw new DomainError('USER_NOT_FOUND', 'The receiver does not exist.');
  const exceptSender =
    input.senderConnectionId === undefined ? {} : { exceptConnectionId: input.senderConnectionId };
  const toSender = { userId: input.senderId, ...exceptSender };
  const conversationId = block
    ? ((await deps.conversations.find(input.senderId, receiver.id)) ??
      (deps.ids.newId() as ConversationId))
    : await deps.conversations.ensure(input.senderId, receiver.id);
  const candidate: Message = {
    id: deps.ids.newId() as MessageId,
    conversationId,
    senderId: input.senderId,
    receiverId: receiver.id,
    content: input.content,
    messageType,
    clientMessageId,
    createdAt: deps.clock.now(),
  };
  if (block) {
    // Answered like a stored message, so the sender cannot tell the block; never stored or delivered.
    await appendEvent(
      deps,
      withFields(toSender, { event: { type: 'new-message', message: candidate } }),
    );
    return { message: candidate, created: true };
  }

  // The insert is the race-safe idempotency check: of two concurrent retries
  // exactly one is created; the other gets the first one back.
  const { message, created } = await deps.messages.insert(candidate);
  if (!created) return { message, created };

  await deps.conversations.recordMessage(message);
  const event = { type: 'new-message', message } as const;
  if (receiver.id === input.senderId) {
    // Note to self: logged once; each of the user's connections gets it once, except the sending one.
    await appendEvent(deps, withFields(toSender, { event }));
  } else {
    // Two logs, two queues: neither waits for the other.
    await Promise.all([
      appendEvent(deps, { userId: receiver.id, event }),
      appendEvent(deps, withFields(toSender, { event })),
    ]);
  }
  return { message, created };
}

function assertValid(content: string, messageType: string, clientMessageId: string | null): void {
  const issues = [
    ruleIssue('content', content, MESSAGE_CONTENT_RULE),
    ruleIssue('messageType', messageType, MESSAGE_TYPE_RULE),
    clientMessageId === null
      ? null
      : ruleIssue('clientMessageId', clientMessageId, CLIENT_MESSAGE_ID_RULE),
  ].filter((issue) => issue !== null);
  if (issues.length > 0) throw new ValidationError(issues);
}
