/**
 * @module The clustered notifier: the connection registry of adapters/wire
 * delivers to this instance's connections; this module is its fan-out, the
 * publication to other instances over Redis pub/sub with one channel per
 * user (`push:<userId>`), and the delivery of what they publish.
 *
 * Channel design: an instance SUBSCRIBEs to a user's channel while it holds
 * at least one connection of that user (first connection → SUBSCRIBE, last
 * one gone → UNSUBSCRIBE), and every push to a user is published on that
 * user's channel. Redis then hands each event only to the instances that
 * hold a connection of its recipient, where a broadcast-to-all channel would
 * make every instance receive, parse and drop every event of the cluster
 * (cost growing with the number of instances). Subscribing is cheap (one
 * dictionary entry per channel on the server) and happens once per user and
 * instance, not per event. On Redis Cluster, the same design maps to sharded
 * channels (SSUBSCRIBE/SPUBLISH) so events stay on the shard of the channel;
 * this adapter targets a standalone server or a Sentinel group.
 *
 * What travels is the finished frame: a one-line JSON envelope, a newline,
 * and the frame's text exactly as the origin serialized it (wire/push.ts).
 * The envelope carries what routing needs as plain fields:
 * `{ o: origin, u: user, t: frame type, s?: seq, f?: whose doing, c?: only
 * this connection, x?: every connection but this one }`. The receiving
 * instance parses the envelope only and hands the text on to its sockets.
 *
 * - `notify` delivers locally, then publishes `{ o, u, t, s?, f?, x? }`;
 *   every instance skips events of its own origin (already delivered), so a
 *   connection never gets one twice.
 * - `notifyConnection` delivers locally when the connection is here, else
 *   publishes `{ o, u, t, …, c }` on the user's channel: only the instance
 *   holding connection `c` delivers it (connection ids are unique UUIDs).
 * - Order: one instance's pushes to a user leave on one Redis connection in
 *   the order they were made, and Redis delivers a channel's messages in
 *   order, so pushes to one user keep their order across instances too.
 * - `listen(userId)` subscribes and resolves once Redis confirmed it: the
 *   WebSocket hub waits for it before it sends `ready`, so nothing published
 *   for the user after `ready` is missed.
 * - Outages: publishing needs the command connection; while Redis is away
 *   other instances miss the pushes (local delivery goes on), nothing queues
 *   up. After a reconnect the subscriber SUBSCRIBEs again to every channel
 *   still wanted (its own set, not ioredis's, which only knows channels that
 *   were confirmed: a SUBSCRIBE refused during the outage would be lost).
 *   Redis drops a pub/sub client whose output buffer overflows (a slow
 *   instance); that is such a reconnect.
 * - Backpressure: at most `maxPendingPublishes` PUBLISH commands wait for
 *   their reply; beyond that, pushes to other instances are dropped (and
 *   counted), so a burst or a slow Redis cannot grow memory without bound.
 */
import type { Notification, UserId } from '../../core/index.js';
import { createMemoryNotifier, type MemoryNotifier } from '../wire/local-notifier.js';
import { frameBytes, type Push } from '../wire/push.js';
import type { RedisConnection, RedisLogger } from './connect.js';
import type { RedisKeys } from './keys.js';

export interface ClusterNotifier extends MemoryNotifier {
  /**
   * Listens on `userId`'s channel until the returned function is called;
   * resolves once Redis confirmed the subscription (at once while Redis is
   * away, at the latest after `listenTimeoutMs`).
   */
  listen(userId: UserId): Promise<() => void>;
  /** Counters, for tests and metrics. */
  stats(): NotifierStats;
  /** Stops listening to Redis (the connections themselves are closed by their owner). */
  close(): void;
}

export interface NotifierStats {
  /** Events published to other instances. */
  readonly published: number;
  /** Events received from other instances and delivered here. */
  readonly received: number;
  /** Events not published: Redis away, or too many publications waiting. */
  readonly dropped: number;
  /** User channels this instance listens on. */
  readonly channels: number;
}

export interface RedisNotifierOptions {
  readonly connection: Pick<RedisConnection, 'client' | 'subscriber'>;
  readonly keys: RedisKeys;
  /** This instance's id: the origin of its events. */
  readonly instanceId: string;
  /** Most PUBLISH commands waiting for Redis at once (default 10 000). */
  readonly maxPendingPublishes?: number;
  /** Longest wait of `listen` for Redis to confirm (default 2000 ms). */
  readonly listenTimeoutMs?: number;
  readonly logger?: RedisLogger;
}

/** The line before a frame on a user's channel. */
interface Envelope {
  /** Origin instance. */
  readonly o: string;
  readonly u: UserId;
  /** The frame's type. */
  readonly t: Notification['type'];
  /** A logged event's `seq`. */
  readonly s?: number;
  /** The user whose doing the push is. */
  readonly f?: UserId;
  /** Only this connection. */
  readonly c?: string;
  /** Every connection but this one. */
  readonly x?: string;
}

const SUBSCRIBE_BATCH = 500;

/** A notifier that reaches the connections of every instance sharing the Redis server. */
export function createRedisNotifier(options: RedisNotifierOptions): ClusterNotifier {
  const { keys, instanceId } = options;
  const { client, subscriber } = options.connection;
  const maxPending = options.maxPendingPublishes ?? 10_000;
  const listenTimeoutMs = options.listenTimeoutMs ?? 2000;
  const logger = options.logger;

  /** Why each channel is wanted: users with connections here plus pending `listen`s. */
  const wanted = new Map<string, number>();
  /** The last SUBSCRIBE sent per channel, settled when Redis answered. */
  const confirmed = new Map<string, Promise<void>>();
  const counters = { published: 0, received: 0, dropped: 0 };
  let pending = 0;
  let lastDropWarning = 0;
  let closed = false;

  const subscribeNow = (channels: readonly string[]): Promise<void> => {
    if (subscriber.status !== 'ready' || channels.length === 0) return Promise.resolve();
    return subscriber.subscribe(...channels).then(
      () => {},
      (error: unknown) => logger?.warn(`Redis SUBSCRIBE failed: ${messageOf(error)}`),
    );
  };

  const want = (userId: UserId) => {
    const channel = keys.userChannel(userId);
    const count = (wanted.get(channel) ?? 0) + 1;
    wanted.set(channel, count);
    if (count === 1) confirmed.set(channel, subscribeNow([channel]));
  };

  const unwant = (userId: UserId) => {
    const channel = keys.userChannel(userId);
    const count = (wanted.get(channel) ?? 0) - 1;
    if (count > 0) {
      wanted.set(channel, count);
      return;
    }
    wanted.delete(channel);
    confirmed.delete(channel);
    if (subscriber.status === 'ready') subscriber.unsubscribe(channel).catch(() => {});
  };

  const publish = (envelope: Envelope, push: Push) => {
    if (closed) return;
    if (client.status !== 'ready' || pending >= maxPending) {
      counters.dropped += 1;
      const now = Date.now();
      if (client.status === 'ready' && now - lastDropWarning > 10_000) {
        lastDropWarning = now;
        logger?.warn(`Redis publications are backing up: ${pending} waiting; dropping pushes.`);
      }
      return;
    }
    pending += 1;
    // JSON never has a raw newline: the first one ends the envelope.
    client
      .publish(keys.userChannel(envelope.u), `${JSON.stringify(envelope)}\n${push.text}`)
      .then(
        () => {
          counters.published += 1;
        },
        () => {
          counters.dropped += 1;
        },
      )
      .finally(() => {
        pending -= 1;
      });
  };

  const local = createMemoryNotifier({
    publish(userId, push, except) {
      publish(
        { o: instanceId, u: userId, t: push.type, s: push.seq, f: push.from, x: except },
        push,
      );
    },
    publishTo(userId, connectionId, push) {
      publish(
        { o: instanceId, u: userId, t: push.type, s: push.seq, f: push.from, c: connectionId },
        push,
      );
    },
    joined: want,
    left: unwant,
  });

  // After every (re)connect: listen again on every channel still wanted.
  const onSubscriberReady = () => {
    const channels = [...wanted.keys()];
    for (let i = 0; i < channels.length; i += SUBSCRIBE_BATCH) {
      const batch = channels.slice(i, i + SUBSCRIBE_BATCH);
      const done = subscribeNow(batch);
      for (const channel of batch) confirmed.set(channel, done);
    }
  };

  // This instance's own events (already delivered here) start so, `o` being
  // serialized first: they are dropped without being parsed.
  const ownEnvelope = `{"o":${JSON.stringify(instanceId)},`;

  const onMessage = (channel: string, message: string) => {
    if (!channel.startsWith(keys.userChannelPrefix) || message.startsWith(ownEnvelope)) return;
    const end = message.indexOf('\n');
    const envelope = end === -1 ? null : envelopeOf(message.slice(0, end));
    if (envelope === null) return;
    const text = message.slice(end + 1);
    const push: Push = {
      type: envelope.t,
      text,
      bytes: frameBytes(text),
      seq: envelope.s,
      from: envelope.f,
    };
    counters.received += 1;
    if (envelope.c === undefined) local.deliver(envelope.u, push, envelope.x);
    else local.deliverTo(envelope.u, envelope.c, push);
  };

  subscriber.on('ready', onSubscriberReady);
  subscriber.on('message', onMessage);

  return {
    notify: local.notify,
    notifyConnection: local.notifyConnection,
    subscribe: local.subscribe,
    async listen(userId: UserId) {
      want(userId);
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        unwant(userId);
      };
      const done = confirmed.get(keys.userChannel(userId)) ?? Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, listenTimeoutMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      return release;
    },
    stats: () => ({ ...counters, channels: wanted.size }),
    close() {
      closed = true;
      subscriber.off('ready', onSubscriberReady);
      subscriber.off('message', onMessage);
    },
  };
}

/** The envelope line, its fields checked; null for anything else (the push is then dropped). */
function envelopeOf(line: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { o, u, t, s, f, c, x } = value as Record<string, unknown>;
  if (typeof o !== 'string' || typeof u !== 'string' || typeof t !== 'string') return null;
  if (!optional(s, 'number') || !optional(f, 'string')) return null;
  if (!optional(c, 'string') || !optional(x, 'string')) return null;
  return value as Envelope;
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
