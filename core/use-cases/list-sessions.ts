/** @module Lists a user's signed-in devices. */
import type { Deps } from '../deps.js';
import type { DeviceSession, SessionId, UserId } from '../model.js';

export interface SessionView extends DeviceSession {
  /** True for the session of the token that asked. */
  readonly current: boolean;
}

/** The caller's sessions, most recently created first, the current one marked. */
export async function listSessions(
  deps: Pick<Deps, 'sessions' | 'clock'>,
  input: { readonly userId: UserId; readonly currentSessionId: SessionId },
): Promise<SessionView[]> {
  const sessions = await deps.sessions.listForUser(input.userId, deps.clock.now());
  return sessions.map((session) => ({
    ...session,
    current: session.id === input.currentSessionId,
  }));
}
