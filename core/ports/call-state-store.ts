/**
 * @module The live call state: which calls exist, in which state, held by
 * which connections, and which call each user is in. Every change is one
 * atomic compare-and-set that says whether it won, so a Redis store can
 * implement each method as one Lua script and many instances get the same
 * answers as one.
 */
import type { CallId, CallMedia, UserId } from '../model.js';

export type LiveCallState = 'ringing' | 'accepted';

/** A call that lives: ringing, or accepted and ongoing. */
export interface LiveCall {
  readonly callId: CallId;
  readonly callerId: UserId;
  readonly calleeId: UserId;
  readonly media: CallMedia;
  readonly state: LiveCallState;
  /** The caller's connection that sent `call-user`: the caller's side of the call. */
  readonly callerConnectionId: string;
  /** The callee's connection that accepted; null while ringing (every callee connection rings). */
  readonly calleeConnectionId: string | null;
  readonly startedAt: Date;
  readonly answeredAt: Date | null;
  /** When the call times out if still ringing; lets a cluster-wide sweeper find overdue calls. */
  readonly ringDeadline: Date;
}

/** The answer of `tryStart`. */
export type StartOutcome =
  /** Stored as ringing; `displaced` is the glare call it ended (removed from the store), if any. */
  | { readonly kind: 'started'; readonly displaced: LiveCall | null }
  /** A live call already has this id; nothing changed. */
  | { readonly kind: 'call-exists' }
  /** The caller is in another call (and it is not a glare case); nothing changed. */
  | { readonly kind: 'caller-busy' }
  /** The callee is in another call; nothing changed. */
  | { readonly kind: 'callee-busy' }
  /** Glare, and the other call has the lower id: it stays, this one is not stored. */
  | { readonly kind: 'glare-lost'; readonly survivor: CallId };

/**
 * Guarantees, under any number of concurrent callers (and instances):
 * - a user is in at most one live call, a call id names at most one live call;
 * - `tryStart` decides busy, caller-busy, id reuse and glare in one step;
 * - of concurrent `tryAccept`s of a ringing call exactly one wins;
 * - `tryEnd` returns a given call at most once, ever, and then frees both users.
 *
 * Glare: starting a call from B to A while A's call to B is ringing keeps the
 * call whose id is lower by `compareCallIds` (code point order, which is also
 * the byte order of UTF-8, so a Lua `<` on the raw strings agrees). When the
 * new call is lower, `tryStart` removes the old one and stores the new one in
 * the same step, and hands the old one back as `displaced`.
 *
 * A call's parties, media, connections and `startedAt` never change; `state`
 * moves from `ringing` to `accepted` at most once (filling `calleeConnectionId`
 * and `answeredAt`), so a compare on `state` is a compare on the whole call.
 */
export interface CallStateStore {
  get(callId: string): Promise<LiveCall | null>;
  /** The live call `userId` is in (as caller or callee), if any. */
  callOf(userId: UserId): Promise<LiveCall | null>;
  /** Stores `call` (in state `ringing`) unless the id, the caller or the callee is taken. */
  tryStart(call: LiveCall): Promise<StartOutcome>;
  /**
   * Ringing → accepted by `connectionId` of the callee `calleeId`; the accepted
   * call, or null when the call is gone, not ringing, or not `calleeId`'s.
   */
  tryAccept(
    callId: CallId,
    calleeId: UserId,
    connectionId: string,
    answeredAt: Date,
  ): Promise<LiveCall | null>;
  /** Removes the call if it is in state `expected`: the removed call, or null (no change). */
  tryEnd(callId: CallId, expected: LiveCallState): Promise<LiveCall | null>;
}
