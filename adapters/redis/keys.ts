/**
 * @module Every Redis key and channel the backplane uses, under one prefix
 * (`REDIS_KEY_PREFIX`, default `mycalls:`), so several deployments or test
 * runs can share a server. The Lua scripts build some keys themselves from
 * the prefixes handed to them (a displaced glare call, a dead instance's
 * records): that is fine on a standalone server or a Sentinel group, the
 * deployments this adapter supports, and is why Redis Cluster is not one.
 */
import type { UserId } from '../../core/index.js';

/** Separates a user id from a connection id in set members (never part of either). */
export const MEMBER_SEPARATOR = '\u0000';

/** The default `REDIS_KEY_PREFIX`. */
export const DEFAULT_KEY_PREFIX = 'mycalls:';

export interface RedisKeys {
  readonly prefix: string;
  /** Hash of one live call (`LiveCall` fields); `callPrefix + callId`. */
  call(callId: string): string;
  readonly callPrefix: string;
  /** The id of the live call a user is in; `userCallPrefix + userId`. */
  userCall(userId: string): string;
  readonly userCallPrefix: string;
  /** A short lock held while a task about the call runs (locked-queue.ts). */
  callLock(callId: string): string;
  /** A short lock held while a task about the user's presence runs (locked-queue.ts). */
  presenceLock(userId: string): string;
  /** Sorted set: ringing call ids scored by their ring deadline (ms since the epoch). */
  readonly ringDeadlines: string;
  /** Hash: a user's connections, `connectionId → "<status>|<instanceId>"`. */
  presence(userId: string): string;
  /** Set of the instance ids that registered and were not cleaned up yet. */
  readonly instances: string;
  /**
   * `instancePrefix + id + suffix`: `:alive` (heartbeat, with a TTL), `:conns`
   * (its connections as `userId\0connectionId`), `:reap` (those a reaper still
   * has to clean up), `:reaper` (the reaper's lease).
   */
  readonly instancePrefix: string;
  instance(id: string, suffix: InstanceKeySuffix): string;
  /** Set of the users one connection follows (`subscribe-presence`). */
  subscriptionsOf(userId: string, connectionId: string): string;
  /** Set of the connections (`userId\0connectionId`) following `target`; `followersPrefix + target`. */
  followers(target: string): string;
  readonly followersPrefix: string;
  /**
   * The token of the task last scheduled under a scheduler key
   * (`task:<key>`); blank once cancelled or run (scheduler.ts).
   */
  task(key: string): string;
  /** The pub/sub channel on which every instance hears of ended device sessions. */
  readonly sessionsEndedChannel: string;
  /** The pub/sub channel of one user's pushes. */
  userChannel(userId: UserId): string;
  readonly userChannelPrefix: string;
}

export type InstanceKeySuffix = ':alive' | ':conns' | ':reap' | ':reaper';

/** The key scheme under `prefix`. */
export function createRedisKeys(prefix: string = DEFAULT_KEY_PREFIX): RedisKeys {
  const callPrefix = `${prefix}call:`;
  const userCallPrefix = `${prefix}user-call:`;
  const instancePrefix = `${prefix}instance:`;
  const followersPrefix = `${prefix}followers:`;
  const userChannelPrefix = `${prefix}push:`;
  return {
    prefix,
    call: (callId) => callPrefix + callId,
    callPrefix,
    userCall: (userId) => userCallPrefix + userId,
    userCallPrefix,
    callLock: (callId) => `${prefix}call-lock:${callId}`,
    presenceLock: (userId) => `${prefix}presence-lock:${userId}`,
    ringDeadlines: `${prefix}ring-deadlines`,
    presence: (userId) => `${prefix}presence:${userId}`,
    instances: `${prefix}instances`,
    instancePrefix,
    instance: (id, suffix) => instancePrefix + id + suffix,
    subscriptionsOf: (userId, connectionId) =>
      `${prefix}subscriptions:${memberOf(userId, connectionId)}`,
    followers: (target) => followersPrefix + target,
    followersPrefix,
    task: (key) => `${prefix}task:${key}`,
    sessionsEndedChannel: `${prefix}sessions-ended`,
    userChannel: (userId) => userChannelPrefix + userId,
    userChannelPrefix,
  };
}

/** `userId\0connectionId`: one connection as a set member. */
export function memberOf(userId: string, connectionId: string): string {
  return `${userId}${MEMBER_SEPARATOR}${connectionId}`;
}

/** The user and connection of a `memberOf` string; null when it is not one. */
export function parseMember(member: string): { userId: UserId; connectionId: string } | null {
  const at = member.indexOf(MEMBER_SEPARATOR);
  if (at <= 0) return null;
  return { userId: member.slice(0, at) as UserId, connectionId: member.slice(at + 1) };
}
