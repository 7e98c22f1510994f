/**
 * @module The live call state in Redis, shared by every instance. Each
 * transition of the port is one Lua script (scripts.ts), so busy detection,
 * glare, the accept race and the end are decided once for the whole cluster:
 *
 * - a call is a hash `call:<id>`; `user-call:<userId>` names the call each
 *   party is in; `ring-deadlines` (a sorted set) holds every ringing call by
 *   its `ringDeadline`, for the cluster-wide ring timeout sweep
 *   (cluster-sweeper.ts);
 * - `tryStart` checks id reuse, caller busy, glare (lower id by byte order of
 *   UTF-8 = code point order) and callee busy, and stores the call and both
 *   pointers in one step; a displaced glare call is removed in that step;
 * - `tryAccept` moves `ringing` → `accepted` once: of concurrent accepts on
 *   any instances, exactly one sees the call ringing;
 * - `tryEnd` removes the call only in the expected state, so it returns a
 *   call at most once, ever, and frees both users.
 *
 * Redis keeps this state in memory: a Redis restart without persistence
 * forgets the live calls (README: Running many instances).
 */
import type { Redis } from 'ioredis';
import type { CallStateStore, LiveCall, StartOutcome } from '../../core/index.js';
import { liveCallOf } from './codec.js';
import { withRedisErrors } from './connect.js';
import type { RedisKeys } from './keys.js';
import { scriptsOn } from './scripts.js';

/** The live call state in Redis, honouring every guarantee of `CallStateStore`. */
export function createRedisCallStateStore(redis: Redis, keys: RedisKeys): CallStateStore {
  const run = scriptsOn(redis);

  return {
    get(callId) {
      return withRedisErrors(async () => liveCallOf(await redis.hgetall(keys.call(callId))));
    },
    callOf(userId) {
      return withRedisErrors(async () =>
        liveCallOf(await run('mcCallOf', [keys.userCall(userId)], [keys.callPrefix])),
      );
    },
    tryStart(call: LiveCall) {
      return withRedisErrors(async () => {
        const reply = (await run(
          'mcTryStart',
          [
            keys.call(call.callId),
            keys.userCall(call.callerId),
            keys.userCall(call.calleeId),
            keys.ringDeadlines,
          ],
          [
            keys.callPrefix,
            keys.userCallPrefix,
            call.callId,
            call.callerId,
            call.calleeId,
            call.media,
            call.callerConnectionId,
            call.startedAt.getTime(),
            call.ringDeadline.getTime(),
          ],
        )) as string[];
        return startOutcomeOf(reply);
      });
    },
    tryAccept(callId, calleeId, connectionId, answeredAt) {
      return withRedisErrors(async () =>
        liveCallOf(
          await run(
            'mcTryAccept',
            [keys.call(callId), keys.ringDeadlines],
            [callId, calleeId, connectionId, answeredAt.getTime()],
          ),
        ),
      );
    },
    tryEnd(callId, expected) {
      return withRedisErrors(async () =>
        liveCallOf(
          await run(
            'mcTryEnd',
            [keys.call(callId), keys.ringDeadlines],
            [callId, expected, keys.userCallPrefix],
          ),
        ),
      );
    },
  };
}

function startOutcomeOf(reply: readonly string[]): StartOutcome {
  const [kind, ...rest] = reply;
  switch (kind) {
    case 'call-exists':
    case 'caller-busy':
    case 'callee-busy':
      return { kind };
    case 'glare-lost':
      return { kind, survivor: rest[0] as LiveCall['callId'] };
    case 'started':
      return { kind, displaced: liveCallOf(rest) };
    default:
      throw new Error(`Unexpected tryStart reply ${JSON.stringify(reply)}`);
  }
}
