/**
 * @module What call signaling pushes to devices without a socket
 * (docs/API.md "Push notifications"): a ringing push when a call starts, a
 * cancel push when it stops ringing. Each is sent by the one instance whose
 * compare-and-set started or ended the call, so a device gets each once.
 */
import type { Deps } from '../../deps.js';
import type { DeviceSession, SessionId, UserId } from '../../model.js';
import type { LiveCall } from '../../ports/call-state-store.js';
import type { CallEndedReason } from '../../ports/notifier.js';
import type { PushMessage } from '../../ports/push-sender.js';

export type PushDeps = Pick<Deps, 'sessions' | 'pushes' | 'clock'>;

/** A session with a registration of a kind this server pushes to. */
export type PushableSession = DeviceSession & { readonly push: NonNullable<DeviceSession['push']> };

/** `userId`'s live sessions this server can push to; none (and no read) when push is off. */
export async function pushableSessions(deps: PushDeps, userId: UserId): Promise<PushableSession[]> {
  if (deps.pushes.kinds.size === 0) return [];
  const sessions = await deps.sessions.listForUser(userId, deps.clock.now());
  return sessions.filter(
    (session): session is PushableSession =>
      session.push !== undefined && deps.pushes.kinds.has(session.push.kind),
  );
}

/** Queues `message` to each of `sessions`. */
export function pushTo(
  deps: Pick<Deps, 'pushes'>,
  sessions: readonly PushableSession[],
  message: PushMessage,
): void {
  if (sessions.length === 0) return;
  deps.pushes.send(
    sessions.map((session) => ({
      userId: session.userId,
      sessionId: session.id,
      registration: session.push,
      message,
    })),
  );
}

/**
 * Tells the callee's pushable devices that `call` stopped ringing (but
 * `exceptSessionId`, the device that answered or declined). Best effort: a
 * device that misses it stops ringing at the call push's deadline anyway, so
 * a failed read here never fails the signaling step that ended the call.
 */
export async function cancelCallPushes(
  deps: PushDeps,
  call: LiveCall,
  reason: CallEndedReason,
  exceptSessionId?: SessionId,
): Promise<void> {
  try {
    const sessions = await pushableSessions(deps, call.calleeId);
    pushTo(
      deps,
      sessions.filter((session) => session.id !== exceptSessionId),
      { type: 'call-cancel', callId: call.callId, reason },
    );
  } catch {
    // See above: the deadline in the call push bounds the ringing.
  }
}
