/** @module Delivered receipts: a receiving device acknowledges logged events (the `ack` frame, `GET /api/sync`). */
import type { Deps } from '../../deps.js';
import type { LoggedEvent, Message, UserId } from '../../model.js';
import { checkRules } from '../../rules.js';
import { type AppendEventDeps, appendEvent } from './append-event.js';
import { SEQ_RULE } from './read-events.js';

/**
 * Most events one `ack` covers: the ACK_WINDOW events up to its `seq`. A
 * bound, so an ack costs one bounded read of the log whatever its length; a
 * client acks at least this often (docs/API.md "Delivered receipts").
 */
export const ACK_WINDOW = 500;

export type AcknowledgeDeps = Pick<Deps, 'blocks' | 'deliveries'> & AppendEventDeps;

/**
 * Marks delivered each `new-message` of `events` that another user sent to
 * `userId`, and logs `message-delivered { messageId, to, deliveredAt }` for
 * its sender the first time only (the first ack wins, any number of devices
 * and instances acking at once: ports/delivery-repository.ts). Nothing is
 * marked or logged while either of the two blocks the other. Read-receipt
 * settings do not apply: delivery is shown regardless (the WhatsApp rule).
 */
export async function acknowledgeEvents(
  deps: AcknowledgeDeps,
  userId: UserId,
  events: readonly LoggedEvent[],
): Promise<void> {
  const received: Message[] = [];
  for (const event of events) {
    if (event.type !== 'new-message') continue;
    const { message } = event;
    if (message.receiverId === userId && message.senderId !== userId) received.push(message);
  }
  if (received.length === 0) return;
  // One read leaves out what is marked already (a page fetched again, an ack
  // window covering acked events, another device's ack): no write for those.
  const marked = await deps.deliveries.find(received.map((message) => message.id));
  const blockedWith = new Map<UserId, Promise<boolean>>();
  for (const message of received) {
    if (marked.has(message.id)) continue;
    let blocked = blockedWith.get(message.senderId);
    if (blocked === undefined) {
      blocked = eitherBlocks(deps, userId, message.senderId);
      blockedWith.set(message.senderId, blocked);
    }
    if (await blocked) continue;
    await deliver(deps, message);
  }
}

/** The `ack { seq }` frame: every logged event of `userId` up to `seq` (the last ACK_WINDOW of them) reached a device. */
export async function acknowledgeUpTo(
  deps: AcknowledgeDeps,
  input: { readonly userId: UserId; readonly seq: number },
): Promise<void> {
  const { userId, seq } = input;
  checkRules('seq', seq, SEQ_RULE);
  if (seq === 0) return;
  const from = Math.max(0, seq - ACK_WINDOW);
  const found = await deps.events.readAfter(userId, from, seq - from);
  await acknowledgeEvents(
    deps,
    userId,
    found.filter((event) => event.seq <= seq),
  );
}

async function deliver(deps: AcknowledgeDeps, message: Message): Promise<void> {
  const mark = await deps.deliveries.record(message, deps.clock.now());
  if (!mark.first) return;
  await appendEvent(deps, {
    userId: message.senderId,
    event: {
      type: 'message-delivered',
      messageId: message.id,
      to: message.receiverId,
      deliveredAt: mark.deliveredAt,
    },
  });
}

async function eitherBlocks(deps: Pick<Deps, 'blocks'>, a: UserId, b: UserId): Promise<boolean> {
  const [ab, ba] = await Promise.all([deps.blocks.find(a, b), deps.blocks.find(b, a)]);
  return ab !== null || ba !== null;
}
