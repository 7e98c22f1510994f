/**
 * @module The MongoDB connection and the driver's edge: client creation with
 * short timeouts (an outage answers within about two seconds instead of
 * hanging), translation of outage-type driver errors to
 * `ServiceUnavailableError`, duplicate-key detection and id conversion shared
 * by the repositories. Everything here also holds on FerretDB 1.24.
 */
import {
  type Db,
  MongoClient,
  type MongoClientOptions,
  MongoError,
  MongoNetworkError,
  MongoServerSelectionError,
  ObjectId,
} from 'mongodb';
import { ServiceUnavailableError } from '../../core/index.js';

/** How to reach the database; every timeout in milliseconds. */
export interface MongoConnectOptions {
  /** Database name; defaults to the URI's path, else `mycalls`. */
  readonly dbName?: string;
  /** How long an operation waits for a usable server before failing (default 2000). */
  readonly serverSelectionTimeoutMS?: number;
  /** TCP connect and handshake budget (default 2000). */
  readonly connectTimeoutMS?: number;
  /**
   * How long a pooled socket may wait for an answer (default 10 000): a frozen
   * server then fails requests instead of queueing them forever behind sockets
   * with no deadline. Not lower: under heavy contention FerretDB on SQLite
   * serializes writes, and a single small operation can wait seconds there.
   */
  readonly socketTimeoutMS?: number;
  /** How often the driver checks the server (default 2000), so an outage is noticed fast. */
  readonly heartbeatFrequencyMS?: number;
  /** Connections per server (driver default 100). */
  readonly maxPoolSize?: number;
  readonly appName?: string;
}

/** An open client and its database. */
export interface MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
  /** True when the server answers a `ping` now; never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const DEFAULT_DB_NAME = 'mycalls';

/**
 * A client that connects on first use, so a process can start while the
 * database is down and recover on its own once it returns (the driver keeps
 * monitoring the server). Operations during an outage fail after
 * `serverSelectionTimeoutMS` with errors that `withMongoErrors` turns into
 * `ServiceUnavailableError`.
 */
export function createMongoConnection(
  uri: string,
  options: MongoConnectOptions = {},
): MongoConnection {
  const clientOptions: MongoClientOptions = {
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 2000,
    connectTimeoutMS: options.connectTimeoutMS ?? 2000,
    socketTimeoutMS: options.socketTimeoutMS ?? 10_000,
    heartbeatFrequencyMS: options.heartbeatFrequencyMS ?? 2000,
    appName: options.appName ?? 'my-calls-backend',
    ...(options.maxPoolSize === undefined ? {} : { maxPoolSize: options.maxPoolSize }),
  };
  const client = new MongoClient(uri, clientOptions);
  const db = client.db(options.dbName ?? dbNameFromUri(uri) ?? DEFAULT_DB_NAME);
  return {
    client,
    db,
    async ping() {
      try {
        await db.command({ ping: 1 });
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * The database could not be reached at start-up: `hosts` says where (the
 * URI's hosts, never its credentials), `reason` why, in the driver's words
 * (`connect ECONNREFUSED 127.0.0.1:27017`, `getaddrinfo ENOTFOUND db`).
 */
export class MongoUnreachableError extends ServiceUnavailableError {
  constructor(
    readonly hosts: string,
    readonly reason: string,
  ) {
    super(`MongoDB at ${hosts} cannot be reached (${reason}).`);
    this.name = 'MongoUnreachableError';
  }
}

/** The `host:port` list of a MongoDB URI, without user name or password. */
export function mongoHosts(uri: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/(?:[^@/]*@)?([^/?]*)/.exec(uri);
  return match?.[1] || '(no host)';
}

/** The first line of an error's message, for a one-line report. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]?.trim() || (error instanceof Error ? error.name : 'unknown');
}

/**
 * Like `createMongoConnection`, but waits for the first connection; throws
 * `MongoUnreachableError` when the server cannot be reached in time.
 */
export async function connectMongo(
  uri: string,
  options: MongoConnectOptions = {},
): Promise<MongoConnection> {
  const connection = createMongoConnection(uri, options);
  try {
    await connection.client.connect();
    return connection;
  } catch (error) {
    await connection.client.close().catch(() => {});
    throw isUnavailableError(error)
      ? new MongoUnreachableError(mongoHosts(uri), firstLine(error))
      : error;
  }
}

// The database named in the URI's path, if any.
function dbNameFromUri(uri: string): string | null {
  const match = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(uri);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

// Server error codes that mean "not reachable or not serving now", not "bad request".
const UNAVAILABLE_CODES = new Set([
  50, // MaxTimeMSExpired (FerretDB answers it for a query that ran out of time)
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

// Names of other driver errors that mean the server is out of reach (some of
// their classes are not exported); network errors, pool-cleared errors included,
// and server-selection timeouts are matched by class.
const UNAVAILABLE_NAMES = new Set([
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoOperationTimeoutError',
  'MongoPoolClosedError',
  'MongoWaitQueueTimeoutError',
]);

/** True for driver errors that mean the database is down or unreachable. */
export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (UNAVAILABLE_NAMES.has(error.name)) return true;
  return typeof error.code === 'number' && UNAVAILABLE_CODES.has(error.code);
}

/** True for unavailable-type driver errors that mean the server was too slow, not gone. */
export function isTimeoutError(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (error.name === 'MongoNetworkTimeoutError' || error.name === 'MongoOperationTimeoutError') {
    return true;
  }
  if (error.name === 'MongoWaitQueueTimeoutError') return true;
  return error.code === 50 || error.code === 89;
}

/**
 * True when the server refused text it cannot hold: FerretDB on PostgreSQL
 * answers U+0000 in a document or filter with an InternalError carrying
 * PostgreSQL's SQLSTATE 22P05 (`jsonb` has no NUL).
 */
export function isUnstorableTextError(error: unknown): boolean {
  return (
    error instanceof MongoError &&
    /SQLSTATE 22P05|unsupported Unicode escape sequence/.test(error.message)
  );
}

/** True for an E11000 duplicate key error, including a bulk write whose only failures are such. */
export function isDuplicateKeyError(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false;
  if (error.code === 11000) return true;
  // FerretDB 1.24 reports a unique index violated by an update as InternalError (code 1).
  if (error.code === 1 && /UNIQUE constraint failed|duplicate key value/.test(error.message)) {
    return true;
  }
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 && list.every((e: { code?: unknown }) => e.code === 11000);
}

/** The unique index an E11000 names, if the server says (MongoDB does, FerretDB 1.24 not). */
export function duplicateKeyIndex(error: unknown): string | null {
  if (!(error instanceof MongoError)) return null;
  const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
  if (pattern) return Object.keys(pattern).join(',');
  return /index: (\S+)/.exec(error.message)?.[1] ?? null;
}

/**
 * Wraps every method of a repository so that outage-type driver errors reach
 * the core as `ServiceUnavailableError` (503), whose message says whether
 * MongoDB was unreachable or too slow; anything else passes unchanged.
 */
export function withMongoErrors<T extends object>(repository: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(repository)) {
    wrapped[name] =
      typeof member === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await member(...args);
            } catch (error) {
              if (isUnavailableError(error)) {
                throw new ServiceUnavailableError(
                  isTimeoutError(error)
                    ? 'MongoDB did not answer in time; retry later.'
                    : 'MongoDB is unavailable; retry later.',
                );
              }
              throw error;
            }
          }
        : member;
  }
  return wrapped as T;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

/**
 * The ObjectId of a 24-hex id as the adapters hand them out (lowercase), or
 * null for anything else, which callers treat as an unknown id.
 */
export function toObjectId(id: string): ObjectId | null {
  return OBJECT_ID.test(id) ? ObjectId.createFromHexString(id) : null;
}

/** Like `toObjectId`, for ids the core generated itself: a malformed one is a bug. */
export function requireObjectId(id: string, what: string): ObjectId {
  const oid = toObjectId(id);
  if (!oid) throw new TypeError(`${what} must be a 24-hex ObjectId, got ${JSON.stringify(id)}`);
  return oid;
}
