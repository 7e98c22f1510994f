/**
 * @module Ended device sessions, announced to every instance over one Redis
 * pub/sub channel (`<prefix>sessions-ended`) that every instance listens on
 * from start-up: each closes the sessions' sockets (4401), forgets their
 * verified tokens and drops them from its cache of live sessions. Sessions
 * end rarely (a log-out, a reset), so one channel for the whole cluster costs
 * nothing worth sharding.
 *
 * The announcing instance delivers locally at once and publishes
 * `{"o":origin,"s":[[userId,sessionId],…]}`; others skip their own. Pub/sub
 * is at most once: a message published while an instance is not subscribed
 * never reaches it. So `isListening` is true only from Redis's confirmation
 * of the SUBSCRIBE until the subscriber connection reports an error, closes
 * or ends, and the session cache (wire/live-session-cache.ts) answers from
 * memory only while it is true: an instance that may have missed an
 * announcement reads every session from the store, and refuses an ended
 * session's token as the store does. An announcement that cannot be
 * published at all (Redis unreachable from the ending instance only) leaves
 * the sessions in other instances' caches until their age bound. What a
 * missed announcement still costs is a socket of the ended session left open
 * until it next authenticates or its token expires; after a reconnect the
 * channel is subscribed again.
 */
import type { EndedSession, SessionId, UserId } from '../../core/index.js';
import {
  createMemorySessionEvents,
  type LocalSessionEvents,
} from '../wire/local-session-events.js';
import type { RedisConnection, RedisLogger } from './connect.js';
import type { RedisKeys } from './keys.js';

export interface RedisSessionEvents extends LocalSessionEvents {
  /** Subscribes; resolves once Redis confirmed (or at once while it is away). */
  start(): Promise<void>;
  close(): void;
}

export interface RedisSessionEventsOptions {
  readonly connection: Pick<RedisConnection, 'client' | 'subscriber'>;
  readonly keys: RedisKeys;
  readonly instanceId: string;
  readonly logger?: RedisLogger;
}

export function createRedisSessionEvents(options: RedisSessionEventsOptions): RedisSessionEvents {
  const { client, subscriber } = options.connection;
  const channel = options.keys.sessionsEndedChannel;
  const local = createMemorySessionEvents();
  const own = `{"o":${JSON.stringify(options.instanceId)},`;
  const listeningListeners = new Set<(listening: boolean) => void>();
  let listening = false;
  // Bumped whenever the subscription may have been lost: a SUBSCRIBE confirmed
  // on an earlier connection says nothing about the current one.
  let connectionEpoch = 0;

  const setListening = (value: boolean) => {
    if (listening === value) return;
    listening = value;
    for (const listener of listeningListeners) {
      try {
        listener(value);
      } catch {
        // One listener's failure must not keep the others from hearing it.
      }
    }
  };
  const subscribe = async () => {
    if (subscriber.status !== 'ready') return;
    const epoch = connectionEpoch;
    try {
      await subscriber.subscribe(channel);
      if (epoch === connectionEpoch && subscriber.status === 'ready') setListening(true);
    } catch (error) {
      options.logger?.warn(`Redis SUBSCRIBE ${channel} failed: ${String(error)}`);
    }
  };
  const onReady = () => {
    void subscribe();
  };
  const onLost = () => {
    connectionEpoch++;
    setListening(false);
  };
  const onError = () => {
    onLost();
    // An error on a connection that stays up: subscribe again to hear for sure.
    if (subscriber.status === 'ready') void subscribe();
  };
  const onMessage = (from: string, text: string) => {
    if (from !== channel || text.startsWith(own)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    const list = (parsed as { s?: unknown }).s;
    if (!Array.isArray(list)) return;
    const sessions: EndedSession[] = [];
    for (const entry of list) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string') {
        sessions.push({ userId: entry[0] as UserId, sessionId: entry[1] as SessionId });
      }
    }
    local.deliver(sessions);
  };

  return {
    onEnded: local.onEnded,
    deliver: local.deliver,
    async ended(sessions) {
      if (sessions.length === 0) return;
      local.deliver(sessions);
      const message = JSON.stringify({
        o: options.instanceId,
        s: sessions.map(({ userId, sessionId }) => [userId, sessionId]),
      });
      try {
        await client.publish(channel, message);
      } catch (error) {
        // Other instances' caches keep the sessions until their age bound (SESSION_CACHE_MS)
        // and their sockets stay open; their store reads already refuse the tokens.
        options.logger?.warn(`Announcing ended sessions through Redis failed: ${String(error)}`);
      }
    },
    isListening: () => listening,
    onListeningChange(listener) {
      listeningListeners.add(listener);
      return () => listeningListeners.delete(listener);
    },
    async start() {
      subscriber.on('ready', onReady);
      subscriber.on('message', onMessage);
      subscriber.on('error', onError);
      subscriber.on('close', onLost);
      subscriber.on('end', onLost);
      await subscribe();
    },
    close() {
      subscriber.off('ready', onReady);
      subscriber.off('message', onMessage);
      subscriber.off('error', onError);
      subscriber.off('close', onLost);
      subscriber.off('end', onLost);
      onLost();
    },
  };
}
