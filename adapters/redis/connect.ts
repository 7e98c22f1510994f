/**
 * @module The two Redis connections of an instance, on ioredis, and the
 * driver's edge. ioredis because it does what the backplane leans on:
 * Sentinel (and Cluster) support behind the same client, reconnection with
 * a retry strategy, pub/sub resubscription, pipelining, and Lua scripts
 * registered once with `defineCommand` (EVALSHA, EVAL again after the server
 * lost its script cache).
 *
 * - `client` runs commands, scripts and PUBLISH. It has no offline queue and
 *   a command timeout: while Redis is away, calls fail at once (or within
 *   `commandTimeoutMs`) with `ServiceUnavailableError` instead of piling up
 *   in memory, and a reply lost in a disconnect is never sent twice.
 * - `subscriber` only SUBSCRIBEs. Its channels are restored after a
 *   reconnect by the notifier, from its own set of wanted channels (see
 *   notifier.ts), so the client's `autoResubscribe` is off.
 *
 * Both reconnect forever, every `maxReconnectDelayMs` at most, and every
 * 'error' event has a listener: an outage is logged once when it starts and
 * once when it ends, and never crashes the process.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ServiceUnavailableError } from '../../core/index.js';

/** Receives the backplane's log lines; structurally the server's `Logger`. */
export interface RedisLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface RedisConnectOptions {
  /** How long `connectRedis` waits for both connections (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** A command not answered within this fails (default 2000 ms). */
  readonly commandTimeoutMs?: number;
  /** Longest wait between reconnection attempts (default 1000 ms). */
  readonly maxReconnectDelayMs?: number;
  /** `CLIENT SETNAME` prefix, to tell instances apart in `CLIENT LIST`. */
  readonly name?: string;
  readonly logger?: RedisLogger;
}

export interface RedisConnection {
  /** Commands, scripts and PUBLISH. */
  readonly client: Redis;
  /** SUBSCRIBE only. */
  readonly subscriber: Redis;
  /** True while both connections are ready. */
  isUp(): boolean;
  /** True when the server answers a PING within a second now; never throws. */
  ping(): Promise<boolean>;
  /** Closes both connections, after the commands already sent were answered. */
  close(): Promise<void>;
}

/** Two connections that connect in the background and reconnect on their own. */
export function createRedisConnection(
  url: string,
  options: RedisConnectOptions = {},
): RedisConnection {
  const logger = options.logger ?? consoleLogger;
  const maxDelay = options.maxReconnectDelayMs ?? 1000;
  const common: RedisOptions = {
    connectTimeout: options.connectTimeoutMs ?? 5000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), maxDelay),
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    // The reply shapes of RESP2 (ioredis 6 speaks RESP3 by default and maps them back).
    protocol: 2,
  };
  const name = options.name ?? 'mycalls';
  const client = new Redis(url, {
    ...common,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectionName: `${name}:cmd`,
  });
  const subscriber = new Redis(url, {
    ...common,
    autoResubscribe: false,
    connectionName: `${name}:sub`,
  });
  let closed = false;
  const isClosed = () => closed;
  watch(client, 'command connection', logger, isClosed);
  watch(subscriber, 'subscriber connection', logger, isClosed);

  return {
    client,
    subscriber,
    isUp: () => client.status === 'ready' && subscriber.status === 'ready',
    async ping() {
      if (client.status !== 'ready') return false;
      try {
        return (await withTimeout(client.ping(), 1000)) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([client, subscriber].map(quit));
    },
  };
}

/**
 * Redis could not be reached at start-up: `host` says where (never the
 * password), `reason` why (the client's last error, or the time waited).
 */
export class RedisUnreachableError extends ServiceUnavailableError {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`Redis at ${host} cannot be reached (${reason}).`);
    this.name = 'RedisUnreachableError';
  }
}

/** The `host:port` of a Redis URL, without user name or password. */
export function redisHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * Like `createRedisConnection`, but waits until both connections are ready;
 * throws `RedisUnreachableError` when Redis cannot be reached in time.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectOptions = {},
): Promise<RedisConnection> {
  const connection = createRedisConnection(url, options);
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  let lastError: string | undefined;
  const remember = (error: Error) => {
    lastError = error.message;
  };
  connection.client.on('error', remember);
  try {
    await withTimeout(
      Promise.all([ready(connection.client), ready(connection.subscriber)]),
      timeoutMs,
    );
    return connection;
  } catch {
    await connection.close().catch(() => {});
    throw new RedisUnreachableError(
      redisHost(url),
      lastError ?? `no answer within ${timeoutMs} ms`,
    );
  } finally {
    connection.client.off('error', remember);
  }
}

/**
 * Runs a Redis call with the driver's errors translated: connection-type
 * failures (closed, not writable, timed out) become `ServiceUnavailableError`;
 * errors Redis itself answered (a script bug) pass through.
 */
export async function withRedisErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isReplyError(error)) throw error;
    throw new ServiceUnavailableError('Redis is unavailable; retry later.');
  }
}

/** An error Redis itself answered (a script bug), as opposed to a connection failure. */
export function isReplyError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError';
}

const consoleLogger: RedisLogger = {
  info: (message) => console.info(message),
  warn: (message) => console.warn(message),
  error: (message, error) => console.error(message, error),
};

// Logs an outage once when it starts and once when it ends. Failures before
// the first connection are `connectRedis`'s to report.
function watch(redis: Redis, what: string, logger: RedisLogger, closed: () => boolean): void {
  let everReady = false;
  let down = false;
  let lastError = '';
  redis.on('error', (error: Error) => {
    lastError = error.message;
    if (down || !everReady || closed()) return;
    down = true;
    logger.warn(`Redis ${what} lost: ${error.message}; reconnecting.`);
  });
  redis.on('close', () => {
    if (down || !everReady || closed()) return;
    down = true;
    logger.warn(`Redis ${what} closed${lastError ? ` (${lastError})` : ''}; reconnecting.`);
  });
  redis.on('ready', () => {
    everReady = true;
    if (!down) return;
    down = false;
    logger.info(`Redis ${what} restored.`);
  });
}

function ready(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await withTimeout(redis.quit(), 2000);
  } catch {
    redis.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
