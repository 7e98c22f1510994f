/** @module Typing indicators (the `typing` frame): pushed, never stored or logged. */
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import type { UserId } from '../../model.js';

/** An `active` not refreshed within this long is ended by the server (`active: false`). */
export const TYPING_TIMEOUT_MS = 6_000;

/**
 * Tells `to`'s connections `typing { from, active }`, only between users
 * who share a conversation, both with `typingIndicators` on, neither
 * blocking the other; anything else is dropped without a word (no answer
 * tells a stranger or a blocker apart). An `active: true` not refreshed
 * within `TYPING_TIMEOUT_MS` is ended by the server, or sooner when the
 * instance that holds its timer shuts down.
 */
export async function sendTyping(
  deps: Pick<Deps, 'users' | 'blocks' | 'conversations' | 'notifier' | 'scheduler'>,
  input: { readonly userId: UserId; readonly to: string; readonly active: boolean },
): Promise<void> {
  const { userId, active } = input;
  if (input.to === userId) throw ValidationError.at('to', 'You cannot type to yourself.');
  const to = input.to as UserId;
  const key = `typing:${userId}:${to}`;
  const [conversation, me, them, blocked, blocking] = await Promise.all([
    deps.conversations.find(userId, to),
    deps.users.findById(userId),
    deps.users.findById(to),
    deps.blocks.find(to, userId),
    deps.blocks.find(userId, to),
  ]);
  const allowed =
    conversation !== null &&
    me?.typingIndicators === true &&
    them?.typingIndicators === true &&
    !blocked &&
    !blocking;
  if (!allowed) return;
  const stop = { type: 'typing', from: userId, active: false } as const;
  if (active) {
    // At shutdown it is sent at once: no other instance holds this timer.
    await deps.scheduler.schedule(key, TYPING_TIMEOUT_MS, () => deps.notifier.notify(to, stop), {
      runAtShutdown: true,
    });
  } else {
    await deps.scheduler.cancel(key);
  }
  await deps.notifier.notify(to, active ? { ...stop, active: true } : stop);
}
