/**
 * @module The Lua scripts of the backplane. Each one is a single atomic step
 * on the server (Redis runs one script at a time), so every compare-and-set
 * of the ports is decided once for the whole cluster. They are registered
 * with ioredis `defineCommand`: sent as `EVALSHA`, and as `EVAL` again when
 * the server lost its script cache (after a restart).
 *
 * Conventions: a script never returns an array holding nil (Lua would cut it
 * there); "nothing" is an empty string or an empty array. Strings are
 * compared byte by byte with `bytes_less`, never with Lua's `<`, which calls
 * `strcoll` and so depends on the server's `LC_COLLATE`; byte order of UTF-8
 * is code point order, the contract's glare order.
 */
import type { Redis } from 'ioredis';

const FIELD = `
local function field(flat, name)
  for i = 1, #flat, 2 do
    if flat[i] == name then return flat[i + 1] end
  end
  return false
end
`;

const BYTES_LESS = `
local function bytes_less(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
`;

// A user's combined status from the presence hash (values "<status>|<instance>").
const COMBINED = `
local function combined(key)
  local values = redis.call('HVALS', key)
  if #values == 0 then return 'offline' end
  for _, value in ipairs(values) do
    if string.sub(value, 1, 7) == 'active|' then return 'active' end
  end
  return 'idle'
end
`;

/**
 * Every script: its number of keys and its source. KEYS and ARGV are listed
 * at the top of each; the TypeScript callers pass them in that order.
 */
export const SCRIPTS = {
  /** KEYS: user-call. ARGV: callPrefix. The user's live call (flat hash), or {}. */
  mcCallOf: {
    keys: 1,
    lua: `
local id = redis.call('GET', KEYS[1])
if not id then return {} end
return redis.call('HGETALL', ARGV[1] .. id)
`,
  },

  /**
   * KEYS: call, caller's user-call, callee's user-call, ring-deadlines.
   * ARGV: callPrefix, userCallPrefix, callId, callerId, calleeId, media,
   * callerConnectionId, startedAt, ringDeadline.
   * {'call-exists'} | {'caller-busy'} | {'callee-busy'} | {'glare-lost', survivor}
   * | {'started'} | {'started', <displaced call, flat>...}
   */
  mcTryStart: {
    keys: 4,
    lua: `${FIELD}${BYTES_LESS}
if redis.call('EXISTS', KEYS[1]) == 1 then return {'call-exists'} end
local displaced = false
local callers = redis.call('GET', KEYS[2])
if callers then
  local other = redis.call('HGETALL', ARGV[1] .. callers)
  if #other > 0 then
    local glare = field(other, 'state') == 'ringing'
      and field(other, 'callerId') == ARGV[5]
      and field(other, 'calleeId') == ARGV[4]
    if not glare then return {'caller-busy'} end
    if bytes_less(callers, ARGV[3]) then return {'glare-lost', callers} end
    displaced = other
  end
end
local callees = redis.call('GET', KEYS[3])
if callees and not (displaced and callees == field(displaced, 'callId'))
  and redis.call('EXISTS', ARGV[1] .. callees) == 1 then
  return {'callee-busy'}
end
if displaced then
  local id = field(displaced, 'callId')
  redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[4], id)
end
redis.call('HSET', KEYS[1],
  'callId', ARGV[3], 'callerId', ARGV[4], 'calleeId', ARGV[5], 'media', ARGV[6],
  'state', 'ringing', 'callerConnectionId', ARGV[7], 'calleeConnectionId', '',
  'startedAt', ARGV[8], 'answeredAt', '', 'ringDeadline', ARGV[9])
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('ZADD', KEYS[4], ARGV[9], ARGV[3])
if displaced then
  local out = {'started'}
  for _, value in ipairs(displaced) do table.insert(out, value) end
  return out
end
return {'started'}
`,
  },

  /**
   * KEYS: call, ring-deadlines. ARGV: callId, calleeId, connectionId, answeredAt.
   * The accepted call (flat), or {} when it is gone, not ringing or not the callee's.
   */
  mcTryAccept: {
    keys: 2,
    lua: `${FIELD}
local call = redis.call('HGETALL', KEYS[1])
if #call == 0 or field(call, 'state') ~= 'ringing' or field(call, 'calleeId') ~= ARGV[2] then
  return {}
end
redis.call('HSET', KEYS[1], 'state', 'accepted', 'calleeConnectionId', ARGV[3], 'answeredAt', ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HGETALL', KEYS[1])
`,
  },

  /**
   * KEYS: call, ring-deadlines. ARGV: callId, expected state, userCallPrefix.
   * The removed call (flat), or {} when it is gone or in another state.
   */
  mcTryEnd: {
    keys: 2,
    lua: `${FIELD}
local call = redis.call('HGETALL', KEYS[1])
if #call == 0 or field(call, 'state') ~= ARGV[2] then return {} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
for _, user in ipairs({field(call, 'callerId'), field(call, 'calleeId')}) do
  local pointer = ARGV[3] .. user
  if redis.call('GET', pointer) == ARGV[1] then redis.call('DEL', pointer) end
end
return call
`,
  },

  /** KEYS: a lock. ARGV: the holder's token. Deletes the lock only when the caller holds it. */
  mcReleaseLock: {
    keys: 1,
    lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
  },

  /**
   * KEYS: ring-deadlines. ARGV: now, lease until, limit, callPrefix.
   * Claims up to `limit` ringing calls past their deadline: each is pushed to
   * the lease's end (re-offered if its claimer dies before ending it) and
   * returned; entries of calls no longer ringing are dropped.
   */
  mcClaimDueRings: {
    keys: 1,
    lua: `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local claimed = {}
for _, id in ipairs(due) do
  if redis.call('HGET', ARGV[4] .. id, 'state') == 'ringing' then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    table.insert(claimed, id)
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return claimed
`,
  },

  /**
   * KEYS: presence(user), this instance's :conns. ARGV: connectionId, status,
   * instanceId, member. {before, after}.
   */
  mcPresenceSet: {
    keys: 2,
    lua: `${COMBINED}
local before = combined(KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
redis.call('SADD', KEYS[2], ARGV[4])
return {before, combined(KEYS[1])}
`,
  },

  /** KEYS: presence(user). ARGV: connectionId, status. {before, after}, or {} for an unknown connection. */
  mcPresenceUpdate: {
    keys: 1,
    lua: `${COMBINED}
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return {} end
local owner = string.match(current, '|(.*)$') or ''
local before = combined(KEYS[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. owner)
return {before, combined(KEYS[1])}
`,
  },

  /**
   * KEYS: presence(user). ARGV: connectionId, instanceId (the caller's),
   * instancePrefix, member. {before, after}. A connection held by another
   * instance that is alive is not the caller's to remove: nothing changes.
   */
  mcPresenceRemove: {
    keys: 1,
    lua: `${COMBINED}
local before = combined(KEYS[1])
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return {before, before} end
local owner = string.match(current, '|(.*)$') or ''
if owner ~= ARGV[2] and redis.call('EXISTS', ARGV[3] .. owner .. ':alive') == 1 then
  return {before, before}
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SREM', ARGV[3] .. owner .. ':conns', ARGV[4])
return {before, combined(KEYS[1])}
`,
  },

  /**
   * KEYS: the connection's subscriptions. ARGV: member, cap, followersPrefix,
   * targets... 1 when added (all of them), 0 when the cap would be exceeded.
   */
  mcSubscribe: {
    keys: 1,
    lua: `
local fresh, seen = {}, {}
for i = 4, #ARGV do
  local target = ARGV[i]
  if not seen[target] then
    seen[target] = true
    if redis.call('SISMEMBER', KEYS[1], target) == 0 then table.insert(fresh, target) end
  end
end
if redis.call('SCARD', KEYS[1]) + #fresh > tonumber(ARGV[2]) then return 0 end
for _, target in ipairs(fresh) do
  redis.call('SADD', KEYS[1], target)
  redis.call('SADD', ARGV[3] .. target, ARGV[1])
end
return 1
`,
  },

  /** KEYS: the connection's subscriptions. ARGV: member, followersPrefix, targets... */
  mcUnsubscribe: {
    keys: 1,
    lua: `
for i = 3, #ARGV do
  if redis.call('SREM', KEYS[1], ARGV[i]) == 1 then
    redis.call('SREM', ARGV[2] .. ARGV[i], ARGV[1])
  end
end
return 1
`,
  },

  /** KEYS: the connection's subscriptions. ARGV: member, followersPrefix. */
  mcDropSubscriptions: {
    keys: 1,
    lua: `
for _, target in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('SREM', ARGV[2] .. target, ARGV[1])
end
redis.call('DEL', KEYS[1])
return 1
`,
  },

  /**
   * KEYS: this instance's :alive, instances. ARGV: instanceId, ttl ms.
   * Refreshes the heartbeat; 1 when it was still there, 0 when it had
   * expired or the server lost it (then this instance's records may be gone).
   */
  mcHeartbeat: {
    keys: 2,
    lua: `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
return existed
`,
  },

  /** KEYS: instances. ARGV: instancePrefix. The registered instances without a heartbeat. */
  mcDeadInstances: {
    keys: 1,
    lua: `
local dead = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. id .. ':alive') == 0 then table.insert(dead, id) end
end
return dead
`,
  },

  /**
   * KEYS: the dead instance's :alive, :reaper, :conns, :reap. ARGV: the
   * claiming instanceId, lease ms. 1 when the caller now holds the cleanup
   * lease (its connections copied to :reap, which keeps each until it is
   * cleaned up; a holder may claim again, to retry what failed), 0 when the
   * instance is alive or another one holds the lease.
   */
  mcClaimInstance: {
    keys: 4,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('SUNIONSTORE', KEYS[4], KEYS[4], KEYS[3])
end
return 1
`,
  },

  /**
   * KEYS: instances, the dead instance's :alive, :conns, :reap, :reaper.
   * ARGV: its id, the reaper's id. Forgets the instance once nothing is left
   * to clean up (unless it came back meanwhile) and drops the lease. 1 when done.
   */
  mcFinishInstance: {
    keys: 5,
    lua: `
if redis.call('SCARD', KEYS[4]) > 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('SREM', KEYS[1], ARGV[1])
  redis.call('DEL', KEYS[3])
end
if redis.call('GET', KEYS[5]) == ARGV[2] then redis.call('DEL', KEYS[5]) end
return 1
`,
  },

  /**
   * KEYS: a scheduled task's key. ARGV: the task's token. Whether the task due
   * now may run: 1 when the key still holds its token (blanked, keeping its
   * TTL: the task is done), 0 when a later `schedule` or a `cancel` on any
   * instance changed it, 2 when Redis no longer holds the key (expired or
   * lost): nothing says the task was replaced.
   */
  mcClaimTask: {
    keys: 1,
    lua: `
local current = redis.call('GET', KEYS[1])
if not current then return 2 end
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], '', 'KEEPTTL')
return 1
`,
  },

  /**
   * KEYS: this instance's :alive, instances, :conns. ARGV: instanceId.
   * Leaves the cluster: the heartbeat goes at once (a connection left behind
   * is cleaned up by the next sweep of any peer); 1 when nothing was left.
   */
  mcDeregister: {
    keys: 3,
    lua: `
redis.call('DEL', KEYS[1])
if redis.call('SCARD', KEYS[3]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
  return 1
end
return 0
`,
  },
} as const satisfies Record<string, { keys: number; lua: string }>;

export type ScriptName = keyof typeof SCRIPTS;

/** Runs one script: `keys` must have the script's number of keys. */
export type RunScript = (
  name: ScriptName,
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

const defined = new WeakSet<Redis>();

/** Registers every script on `redis` (once per client) and returns their runner. */
export function scriptsOn(redis: Redis): RunScript {
  if (!defined.has(redis)) {
    for (const [name, script] of Object.entries(SCRIPTS)) {
      redis.defineCommand(name, { numberOfKeys: script.keys, lua: script.lua });
    }
    defined.add(redis);
  }
  const commands = redis as unknown as Record<
    ScriptName,
    (...args: (string | number)[]) => Promise<unknown>
  >;
  return (name, keys, args) => {
    if (keys.length !== SCRIPTS[name].keys) {
      throw new Error(`${name} takes ${SCRIPTS[name].keys} keys, got ${keys.length}`);
    }
    return commands[name](...keys, ...args);
  };
}
