/** @module Logs an event a user must not miss, then pushes it (docs/API.md "Sync"). */
import type { Deps } from '../../deps.js';
import type { LoggedEvent, SyncEvent, UserId } from '../../model.js';
import { type WakeDeps, wakeAwayDevices } from './wake-away-devices.js';

/** Every this many events of a user, their events older than the retention are pruned. */
export const PRUNE_EVERY = 64;

export type AppendEventDeps = Pick<
  Deps,
  'events' | 'eventQueue' | 'notifier' | 'clock' | 'eventRetentionMs'
> &
  WakeDeps;

export interface AppendEventInput {
  readonly userId: UserId;
  readonly event: SyncEvent;
  /** The user's connection that must not get the push (the device the event came from). */
  readonly exceptConnectionId?: string;
}

/**
 * Appends `event` to `userId`'s log and pushes it with its `seq` to the
 * user's connections. Durable before it is pushed; resolves once both are
 * done. Appends to one user queue up in this process, and each one's push is
 * made before the next append starts, so this process pushes a user's events
 * in `seq` order (connections put pushes from other processes back in order,
 * adapters/ws/connection.ts). A user without a socket has their registered devices
 * woken by a `sync` push with the `seq`.
 */
export async function appendEvent(
  deps: AppendEventDeps,
  input: AppendEventInput,
): Promise<LoggedEvent> {
  const { userId, event, exceptConnectionId } = input;
  const logged = await deps.eventQueue.run(userId, async () => {
    const entry = await deps.events.append(userId, event, deps.clock.now());
    await deps.notifier.notify(
      userId,
      entry,
      exceptConnectionId === undefined ? undefined : { exceptConnectionId },
    );
    return entry;
  });
  await wakeAwayDevices(deps, userId, logged.seq);
  if (logged.seq % PRUNE_EVERY === 0) {
    const before = new Date(logged.at.getTime() - deps.eventRetentionMs);
    // Housekeeping off the sender's path: a failed prune is retried PRUNE_EVERY events later.
    deps.events.prune(userId, before, logged.seq).catch(() => {});
  }
  return logged;
}
