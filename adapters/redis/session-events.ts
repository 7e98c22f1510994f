/**
 * @module Ended device sessions, announced to every instance over one Redis
 * pub/sub channel (`<prefix>sessions-ended`) that every instance listens on
 * from start-up: each closes the sessions' sockets (4401) and forgets their
 * verified tokens. Sessions end rarely (a log-out, a reset), so one channel
 * for the whole cluster costs nothing worth sharding.
 *
 * The announcing instance delivers locally at once and publishes
 * `{"o":origin,"s":[[userId,sessionId],…]}`; others skip their own. Nothing
 * depends on the announcement for safety: every request reads the session
 * from the store, so a token of an ended session is refused even by an
 * instance that missed it (Redis away). What a missed announcement costs is
 * a socket of the ended session left open until it next authenticates or its
 * token expires; after a reconnect the channel is subscribed again.
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

  const subscribe = async () => {
    if (subscriber.status !== 'ready') return;
    try {
      await subscriber.subscribe(channel);
    } catch (error) {
      options.logger?.warn(`Redis SUBSCRIBE ${channel} failed: ${String(error)}`);
    }
  };
  const onReady = () => {
    void subscribe();
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
        // The store already refuses the sessions' tokens everywhere; only sockets elsewhere stay.
        options.logger?.warn(`Announcing ended sessions through Redis failed: ${String(error)}`);
      }
    },
    async start() {
      subscriber.on('ready', onReady);
      subscriber.on('message', onMessage);
      await subscribe();
    },
    close() {
      subscriber.off('ready', onReady);
      subscriber.off('message', onMessage);
    },
  };
}
