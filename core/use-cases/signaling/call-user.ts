/** @module Places a call: `call-user` (API.md §7). */
import type { Deps } from '../../deps.js';
import { DomainError, ValidationError } from '../../errors.js';
import {
  type CallId,
  type CallMedia,
  type CallRecord,
  type EndReason,
  type FinalCallStatus,
  isCallMedia,
  type UserId,
} from '../../model.js';
import type { LiveCall } from '../../ports/call-state-store.js';
import type { Notification, PassthroughFields } from '../../ports/notifier.js';
import { checkRules } from '../../rules.js';
import type { AppendEventDeps } from '../sync/append-event.js';
import { type PushableSession, pushableSessions, pushTo } from './call-pushes.js';
import { CALL_ID_RULE, CALL_MEDIA_RULE, passthrough, ringTimeoutKey } from './call-rules.js';
import { ringTimeout } from './ring-timeout.js';
import { cancelRingTimeout, notifySide, recordEnd } from './shared.js';

/** The `call-user` frame's payload; any other field is passed on to the callee. */
export interface CallUserRequest extends PassthroughFields {
  readonly to: string;
  /** Client-chosen, 1–64 characters; generated when absent. */
  readonly callId?: string;
  /** `audio` (default) or `video`. */
  readonly media?: string;
}

export interface CallUserInput {
  readonly userId: UserId;
  /** The caller's connection: it holds the caller's side of the call. */
  readonly connectionId: string;
  readonly payload: CallUserRequest;
}

/** How `call-user` ended up; the caller was told with the matching frame. */
export interface CallUserResult {
  readonly callId: CallId;
  /** `ringing`: the callee is rung; otherwise the call ended at once with that history status. */
  readonly outcome: 'ringing' | 'unavailable' | 'busy' | 'glare';
}

type CallUserDeps = Pick<
  Deps,
  | 'users'
  | 'blocks'
  | 'presence'
  | 'calls'
  | 'callState'
  | 'scheduler'
  | 'callQueue'
  | 'notifier'
  | 'clock'
  | 'ids'
  | 'ringTimeoutMs'
  | 'sessions'
  | 'pushes'
> &
  // The ring timeout logs a missed call.
  AppendEventDeps;

/**
 * Starts a call from `userId` to `payload.to`: rings every connection of the
 * callee with `call-user`, and every device of the callee with a push
 * registration with a call push, and tells the calling connection
 * `call-ringing`. Refusals that are outcomes rather than errors are told to
 * the calling connection and recorded: `call-unavailable` (callee offline
 * with no device to push to),
 * `call-rejected` busy, `call-ended` glare (the other call of a glare pair has
 * the lower id; when this one is lower, the other ends instead).
 *
 * A client-chosen `callId` is scoped to its caller: one that names a live or
 * past call another user placed is nobody's to block, so the call is placed
 * under a fresh server-chosen id instead, which the caller learns from the
 * frame that answers (`call-ringing`, or the outcome). Only reusing an id of
 * one's own call is `CALL_EXISTS`.
 *
 * Throws `VALIDATION_FAILED` (self-call, bad `callId` or `media`),
 * `USER_NOT_FOUND`, `CALL_EXISTS` (the id names a live or a past call the
 * caller placed), `ALREADY_IN_CALL`.
 */
export async function callUser(deps: CallUserDeps, input: CallUserInput): Promise<CallUserResult> {
  const { payload } = input;
  if (payload.to === input.userId) throw ValidationError.at('to', 'You cannot call yourself.');
  if (payload.callId !== undefined) checkRules('callId', payload.callId, CALL_ID_RULE);
  const media = payload.media ?? 'audio';
  if (!isCallMedia(media)) throw ValidationError.at('media', CALL_MEDIA_RULE.message);
  const chosen = payload.callId !== undefined;
  const callId = (payload.callId ?? deps.ids.newId()) as CallId;
  // Queued before any await, so frames the caller sends right after are handled after this one.
  return deps.callQueue.run(callId, async () => {
    const placed = await placeCall(deps, input, callId, media, chosen);
    if (placed !== TAKEN) return placed;
    // 96 random bits: no call has it, so this attempt never answers TAKEN.
    const fresh = deps.ids.newId() as CallId;
    return deps.callQueue.run(fresh, async () => {
      const again = await placeCall(deps, input, fresh, media, false);
      if (again === TAKEN) throw callExists();
      return again;
    });
  });
}

/** `placeCall`'s answer when a client-chosen id names another user's call; nothing was done. */
const TAKEN = Symbol('taken by another user');

/**
 * What a clash on `callId` means: `CALL_EXISTS` when it names a call the
 * caller placed (or nothing can be told), `TAKEN` when another user's call
 * holds a client-chosen id.
 */
async function clash(
  deps: Pick<CallUserDeps, 'callState' | 'calls'>,
  callId: CallId,
  callerId: UserId,
  scoped: boolean,
  holder?: { readonly callerId: UserId } | null,
): Promise<typeof TAKEN> {
  if (scoped) {
    const found =
      holder ?? (await deps.callState.get(callId)) ?? (await deps.calls.findById(callId));
    if (found !== null && found.callerId !== callerId) return TAKEN;
  }
  throw callExists();
}

async function placeCall(
  deps: CallUserDeps,
  input: CallUserInput,
  callId: CallId,
  media: CallMedia,
  /** The client chose `callId`: a clash with another user's call is `TAKEN`, not `CALL_EXISTS`. */
  scoped: boolean,
): Promise<CallUserResult | typeof TAKEN> {
  const { userId, connectionId, payload } = input;
  const [caller, callee, block] = await Promise.all([
    deps.users.findById(userId),
    deps.users.findById(payload.to),
    deps.blocks.find(payload.to, userId),
  ]);
  if (callee === null) throw new DomainError('USER_NOT_FOUND', 'The callee does not exist.');
  if (caller === null) throw new DomainError('UNAUTHENTICATED', 'Your account no longer exists.');
  const past = await deps.calls.findById(callId);
  if (past !== null) return clash(deps, callId, userId, scoped, past);

  const now = deps.clock.now();
  const record: CallRecord = {
    id: callId,
    callerId: caller.id,
    calleeId: callee.id,
    media,
    status: 'ringing',
    startedAt: now,
    answeredAt: null,
    endedAt: null,
    durationSec: null,
    endReason: null,
  };
  const toCaller = (notification: Notification) =>
    deps.notifier.notifyConnection(caller.id, connectionId, notification);

  const [presence, pushable] = await Promise.all([
    deps.presence.statusOf([callee.id]),
    block === null ? pushableSessions(deps, callee.id) : ([] as PushableSession[]),
  ]);
  // A callee who blocks the caller is never rung and looks offline to them
  // (docs/API.md, "Blocking"); the call is kept out of the shared history,
  // where the callee would see it.
  const offline = (presence.get(callee.id) ?? 'offline') === 'offline';
  if (block !== null || (offline && pushable.length === 0)) {
    // Nothing is claimed for a call that cannot ring; the checks below only read.
    const holder = await deps.callState.get(callId);
    if (holder !== null) return clash(deps, callId, userId, scoped, holder);
    if ((await deps.callState.callOf(caller.id)) !== null) throw alreadyInCall();
    if (block === null && !(await insertRefused(deps, record, 'unavailable', 'offline'))) {
      return clash(deps, callId, userId, scoped);
    }
    await toCaller({
      type: 'call-unavailable',
      payload: { callId, to: callee.id, reason: 'offline' },
    });
    return { callId, outcome: 'unavailable' };
  }

  const live: LiveCall = {
    callId,
    callerId: caller.id,
    calleeId: callee.id,
    media,
    state: 'ringing',
    callerConnectionId: connectionId,
    calleeConnectionId: null,
    startedAt: now,
    answeredAt: null,
    ringDeadline: new Date(now.getTime() + deps.ringTimeoutMs),
  };
  const started = await deps.callState.tryStart(live);
  switch (started.kind) {
    case 'call-exists':
      return clash(deps, callId, userId, scoped);
    case 'caller-busy':
      throw alreadyInCall();
    case 'callee-busy':
      if (!(await insertRefused(deps, record, 'busy', 'busy'))) {
        return clash(deps, callId, userId, scoped);
      }
      await toCaller({
        type: 'call-rejected',
        payload: { callId, from: callee.id, reason: 'busy' },
      });
      return { callId, outcome: 'busy' };
    case 'glare-lost':
      if (!(await insertRefused(deps, record, 'glare', 'glare'))) {
        return clash(deps, callId, userId, scoped);
      }
      await toCaller({ type: 'call-ended', payload: { callId, reason: 'glare' } });
      return { callId, outcome: 'glare' };
    case 'started':
      break;
  }

  const abandon = () =>
    Promise.allSettled([deps.callState.tryEnd(callId, 'ringing'), cancelRingTimeout(deps, callId)]);
  let recorded: boolean;
  try {
    // Scheduled first: whatever fails below, the call cannot ring forever.
    await deps.scheduler.schedule(ringTimeoutKey(callId), deps.ringTimeoutMs, async () => {
      await ringTimeout(deps, { callId });
    });
    const displaced = started.displaced;
    if (displaced !== null) {
      // Told in the displaced call's own order: after its ring, if that is still under way.
      // Deadlock-free: a call only ever waits for a call with a higher id.
      await deps.callQueue.run(displaced.callId, () => endDisplaced(deps, displaced, now));
    }
    recorded = await deps.calls.insert(record);
  } catch (error) {
    await abandon();
    throw error;
  }
  if (!recorded) {
    // A refused call (never live) took the id in the history meanwhile.
    await abandon();
    return clash(deps, callId, userId, scoped);
  }

  await deps.notifier.notify(callee.id, {
    type: 'call-user',
    payload: {
      ...passthrough(payload),
      callId,
      from: caller.id,
      fromDisplayName: caller.displayName,
      media,
    },
  });
  // The server cannot tell which device holds a socket, so every registered
  // device is pushed; one that has the call already drops the push by callId.
  pushTo(deps, pushable, {
    type: 'call',
    callId,
    from: caller.id,
    fromDisplayName: caller.displayName,
    media,
    deadline: live.ringDeadline,
  });
  await toCaller({ type: 'call-ringing', payload: { callId, to: callee.id } });
  return { callId, outcome: 'ringing' };
}

/** The glare call this one displaced: both its parties were told of it, so both hear it end. */
async function endDisplaced(
  deps: Pick<Deps, 'notifier' | 'calls' | 'scheduler' | 'sessions' | 'pushes' | 'clock'>,
  call: LiveCall,
  endedAt: Date,
): Promise<void> {
  await cancelRingTimeout(deps, call.callId);
  const ended = { type: 'call-ended', payload: { callId: call.callId, reason: 'glare' } } as const;
  await notifySide(deps, call, 'caller', ended);
  await notifySide(deps, call, 'callee', ended);
  await recordEnd(deps, call, 'glare', 'glare', endedAt);
}

/** Records a call that ended before it rang; false when its id is in the history already. */
function insertRefused(
  deps: Pick<Deps, 'calls'>,
  record: CallRecord,
  status: FinalCallStatus,
  endReason: EndReason,
): Promise<boolean> {
  return deps.calls.insert({ ...record, status, endReason, endedAt: record.startedAt });
}

function callExists(): DomainError {
  return new DomainError('CALL_EXISTS', 'This callId is already in use.');
}

function alreadyInCall(): DomainError {
  return new DomainError('ALREADY_IN_CALL', 'You are already in a call.');
}
