/**
 * @module The composition root: the one place that knows which adapter
 * implements which port, builds the whole graph (stores, core deps, push
 * queue, metrics, logger, rate limiters, HTTP app and server, WebSocket hub)
 * and closes it. Every component is registered once in a tsyringe child
 * container under a token declared here, resolved from it, and closed through
 * `container.dispose()` in the order of `CLOSING_ORDER`.
 */
// tsyringe's entry module throws at import unless `Reflect.getMetadata` exists,
// although these registrations (symbol tokens, useValue/useFactory) never read
// decorator metadata: the polyfill is loaded for that check alone.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import {
  type DependencyContainer,
  type Disposable,
  type FactoryProvider,
  Lifecycle,
  container as rootContainer,
} from 'tsyringe';
import {
  type Argon2PasswordHasher,
  createArgon2PasswordHasher,
} from '../../adapters/crypto/argon2-password-hasher.js';
import {
  createHmacVerificationCodes,
  verificationKeyFrom,
} from '../../adapters/crypto/hmac-verification-codes.js';
import { createJoseTokenService } from '../../adapters/crypto/jose-token-service.js';
import { createLibsignalSignatureVerifier } from '../../adapters/crypto/libsignal-signature-verifier.js';
import { createIceServerSource } from '../../adapters/crypto/turn-credentials.js';
import {
  type AccessLog,
  type AppEnv,
  createHttpApp,
  type ReadinessProbe,
  type ReadinessReport,
} from '../../adapters/http/create-http-app.js';
import { createMemoryCallStateStore } from '../../adapters/memory/call-state-store.js';
import { createSystemClock } from '../../adapters/memory/clock.js';
import { createUnlimitedCodeSendLimiter } from '../../adapters/memory/code-send-limiter.js';
import { createMemoryStore } from '../../adapters/memory/create-memory-store.js';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import { createMemoryPresenceStore } from '../../adapters/memory/presence-store.js';
import { createMemoryPresenceSubscriptions } from '../../adapters/memory/presence-subscriptions.js';
import { createTimerScheduler } from '../../adapters/memory/scheduler.js';
import {
  instrumentCallRepository,
  instrumentConnections,
  instrumentKeyBundleRepository,
} from '../../adapters/metrics/instrument.js';
import {
  createPrometheusMetrics,
  type PrometheusMetrics,
} from '../../adapters/metrics/prometheus-metrics.js';
import { connectMongo } from '../../adapters/mongo/connect.js';
import { createMongoStore } from '../../adapters/mongo/create-mongo-store.js';
import { createLogPhoneVerifier } from '../../adapters/phone/log-phone-verifier.js';
import { createTwilioPhoneVerifier } from '../../adapters/phone/twilio-phone-verifier.js';
import { createApnsProvider } from '../../adapters/push/apns-provider.js';
import { createPushDispatcher, type PushDispatcher } from '../../adapters/push/dispatcher.js';
import { createFcmProvider, parseServiceAccount } from '../../adapters/push/fcm-provider.js';
import { createWebPushProvider } from '../../adapters/push/web-push-provider.js';
import {
  openRedisBackplane,
  type RedisBackplane,
} from '../../adapters/redis/create-redis-backplane.js';
import { createLiveSessionCache } from '../../adapters/wire/live-session-cache.js';
import { createMemoryNotifier, type MemoryNotifier } from '../../adapters/wire/local-notifier.js';
import {
  createMemorySessionEvents,
  type LocalSessionEvents,
} from '../../adapters/wire/local-session-events.js';
import { createWsHub, type WsHub, type WsHubOptions } from '../../adapters/ws/hub.js';
import {
  type CallStateStore,
  type Clock,
  createKeyedQueue,
  type Deps,
  finishPendingDeletions,
  type IdGenerator,
  type PhoneVerifier,
  type PresenceStore,
  type PresenceSubscriptions,
  type Scheduler,
  type SignatureVerifier,
  type Store,
  type TokenService,
  type VerificationCodes,
} from '../../core/index.js';
import type { Config } from './config.js';
import { trackHttpServer } from './http-drain.js';
import { createLogger, type Logger, wantsPrettyLogs } from './logger.js';
import { openRateLimiters, type ServerRateLimiters } from './rate-limiters.js';

/** A symbol token that carries its component's type, so that `get` needs no type argument. */
export type Token<T> = symbol & { readonly component?: T };
const token = <T>(name: string) => Symbol(name) as Token<T>;

/** Resolves `key` from `container`, typed by the token. */
export function get<T>(container: DependencyContainer, key: Token<T>): T {
  return container.resolve<T>(key);
}

/** The persistent store, and how to watch and release it. */
export interface Database {
  readonly store: Store;
  status(): Promise<ReadinessReport['mongo']>;
  close(): Promise<void>;
}

/** The HTTP server, not listening until `startServer` listens. */
export interface HttpServer {
  readonly server: Server;
  /** Stops accepting at once, then drains (http-drain.ts) within SHUTDOWN_TIMEOUT. */
  close(): Promise<void>;
}

/** What holds a resource: a connection, threads, a queue, a listener. */
interface Closable {
  close(): Promise<void>;
}

/** Every component of the graph, one token each. */
export const TOKENS = {
  config: token<Config>('Config'),
  logger: token<Logger>('Logger'),
  metrics: token<PrometheusMetrics>('Metrics'),
  shutdown: token<Shutdown>('Shutdown'),
  ids: token<IdGenerator>('IdGenerator'),
  clock: token<Clock>('Clock'),
  passwords: token<Argon2PasswordHasher>('PasswordHasher'),
  tokens: token<TokenService>('TokenService'),
  verificationCodes: token<VerificationCodes>('VerificationCodes'),
  database: token<Database>('Database'),
  store: token<Store>('Store'),
  cluster: token<RedisBackplane | null>('RedisBackplane'),
  rateLimiters: token<ServerRateLimiters>('RateLimiters'),
  presence: token<PresenceStore>('PresenceStore'),
  presenceSubscriptions: token<PresenceSubscriptions>('PresenceSubscriptions'),
  notifier: token<MemoryNotifier>('Notifier'),
  signatures: token<SignatureVerifier>('SignatureVerifier'),
  callState: token<CallStateStore>('CallStateStore'),
  scheduler: token<Scheduler & Closable>('Scheduler'),
  sessionEvents: token<LocalSessionEvents>('SessionEvents'),
  phoneVerifier: token<PhoneVerifier | null>('PhoneVerifier'),
  pushes: token<PushDispatcher>('PushDispatcher'),
  deps: token<Deps>('Deps'),
  readiness: token<ReadinessProbe>('Readiness'),
  accessLog: token<AccessLog>('AccessLog'),
  app: token<Hono<AppEnv>>('HttpApp'),
  hub: token<WsHub>('WsHub'),
  http: token<HttpServer>('HttpServer'),
} as const;

/**
 * What closes, first first; the members of one group close at the same time.
 * Only what was opened is closed, so a start that fails half-way closes the
 * half it opened.
 */
const CLOSING_ORDER: readonly (readonly symbol[])[] = [
  // The listener stops accepting and in-flight requests get SHUTDOWN_TIMEOUT while
  // sockets get 1001 and their presence and call cleanup runs, on open stores.
  [TOKENS.http, TOKENS.hub],
  // In-flight pushes may still delete dead registrations: before the store closes.
  // Pending scheduled tasks are dropped once no socket is left to refresh or
  // cancel them, but typing stops run now, so partners on other instances are
  // told; those and any already running finish on open stores and Redis.
  [TOKENS.pushes, TOKENS.scheduler],
  // After the sockets closed: this instance's departures are announced, and the
  // sweeper stops before the store it sweeps.
  [TOKENS.cluster],
  [TOKENS.database],
  [TOKENS.passwords],
  [TOKENS.rateLimiters],
];

/**
 * The one component tsyringe disposes. `container.dispose()` disposes only
 * instances the container constructed itself (`useClass`), never `useValue`
 * or `useFactory` ones, and starts all of them at once; the graph's resources
 * are made by factories and must close in order. So each resource hands its
 * closer to this instance when it is made, and this instance, constructed by
 * the container, closes them in `CLOSING_ORDER`.
 */
export class Shutdown implements Disposable {
  readonly #owned = new Map<symbol, Closable>();
  #closing: Promise<void> | undefined;

  /** Closes `resource` in the place of `key` in CLOSING_ORDER; returns it. */
  own<T extends Closable>(key: Token<T | null>, resource: T): T {
    this.#owned.set(key, resource);
    return resource;
  }

  /** Idempotent. A closer that fails stops the sequence and rejects with its error. */
  dispose(): Promise<void> {
    this.#closing ??= (async () => {
      for (const group of CLOSING_ORDER) {
        await Promise.all(group.map((key) => this.#owned.get(key)?.close()));
      }
    })();
    return this.#closing;
  }
}

export interface ComposeOptions {
  /** Default: one from `config` (level, pretty output on a terminal outside production). */
  readonly logger?: Logger;
  /** WebSocket limits and timers (tests shorten them); the frame budget is off with RATE_LIMITS=off. */
  readonly websocket?: WsHubOptions;
}

export interface Composition {
  /** The graph, for tests that look inside; the server itself reads the fields below. */
  readonly container: DependencyContainer;
  readonly deps: Deps;
  /** Not listening yet: the caller listens, then attaches the hub to it. */
  readonly server: Server;
  readonly hub: WsHub;
  /**
   * `container.dispose()`: stops accepting at once (synchronously), then closes
   * everything in CLOSING_ORDER. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Builds the graph for `config`. Resources that need an `await` to exist (the
 * argon2 threads, the JWT key, database and Redis connections) are opened
 * first and registered as values; everything else is a factory, made on its
 * first resolve. Resolving the hub and the HTTP server builds the rest. If any
 * step fails, what was opened is closed before the error is rethrown.
 */
export async function compose(config: Config, options: ComposeOptions = {}): Promise<Composition> {
  const container = rootContainer.createChildContainer();
  container.register(
    TOKENS.shutdown,
    { useClass: Shutdown },
    { lifecycle: Lifecycle.ContainerScoped },
  );
  const shutdown = get(container, TOKENS.shutdown);
  try {
    const logger =
      options.logger ??
      createLogger({
        level: config.logLevel,
        pretty: wantsPrettyLogs(config.nodeEnv, process.stdout.isTTY),
      });
    container.register(TOKENS.config, { useValue: config });
    container.register(TOKENS.logger, { useValue: logger });
    // A registry per composition: several servers in one process never clash.
    container.register(TOKENS.metrics, { useValue: createPrometheusMetrics() });
    await openResources(container, shutdown, config, logger);
    registerPorts(container, config);
    registerEdges(container, config, options.websocket);

    const deps = get(container, TOKENS.deps);
    // An ended session's remembered tokens are forgotten on every instance.
    get(container, TOKENS.sessionEvents).onEnded((ended) =>
      deps.tokens.forgetSessions(ended.map((s) => s.sessionId)),
    );
    const { server } = get(container, TOKENS.http);
    const hub = get(container, TOKENS.hub);
    // Heartbeats, and the sweeps of ring timeouts and dead instances, run on these deps.
    await get(container, TOKENS.cluster)?.start(deps);
    await finishInterruptedDeletions(deps, logger);
    return {
      container,
      deps,
      server,
      hub,
      close: async () => {
        await container.dispose();
      },
    };
  } catch (error) {
    await container.dispose();
    throw error;
  }
}

/** Opens what needs an `await`, each handed to `shutdown` as soon as it is open. */
async function openResources(
  container: DependencyContainer,
  shutdown: Shutdown,
  config: Config,
  logger: Logger,
): Promise<void> {
  const ids = createObjectIdGenerator();
  container.register(TOKENS.ids, { useValue: ids });
  const secret = config.jwtSecret ?? randomSecret(logger);
  const [passwords, tokens] = await Promise.all([
    createArgon2PasswordHasher({ maxConcurrent: config.argon2Threads }).then((hasher) =>
      shutdown.own(TOKENS.passwords, hasher),
    ),
    createJoseTokenService({ secret, ttlSec: config.jwtTtlSec }),
  ]);
  container.register(TOKENS.passwords, { useValue: passwords });
  container.register(TOKENS.tokens, { useValue: tokens });
  container.register(TOKENS.verificationCodes, {
    useValue: createHmacVerificationCodes({ key: verificationKeyFrom(secret) }),
  });
  const database = shutdown.own(TOKENS.database, await openDatabase(config, ids, logger));
  container.register(TOKENS.database, { useValue: database });
  // With REDIS_URL: the ports many instances share live in Redis (API.md §8).
  const cluster = await openCluster(config, logger);
  if (cluster !== null) shutdown.own(TOKENS.cluster, cluster);
  container.register(
    TOKENS.cluster,
    singleton(() => cluster),
  );
  const limiters = shutdown.own(TOKENS.rateLimiters, await openRateLimiters(config, logger));
  container.register(TOKENS.rateLimiters, { useValue: limiters });
}

/** The core's ports: in this process, or in Redis when the cluster is on. */
function registerPorts(container: DependencyContainer, config: Config): void {
  const cluster = (c: DependencyContainer) => get(c, TOKENS.cluster);
  const register = <T>(key: Token<T>, make: (c: DependencyContainer) => T) =>
    container.register(key, singleton(make));

  register(TOKENS.clock, () => createSystemClock());
  register(TOKENS.store, (c) =>
    instrumentStore(cacheLiveSessions(get(c, TOKENS.database), c, config), c),
  );
  register(TOKENS.presence, (c) => cluster(c)?.presence ?? createMemoryPresenceStore());
  register(
    TOKENS.presenceSubscriptions,
    (c) => cluster(c)?.presenceSubscriptions ?? createMemoryPresenceSubscriptions(),
  );
  register(TOKENS.notifier, (c) => cluster(c)?.notifier ?? createMemoryNotifier());
  register(TOKENS.signatures, () => createLibsignalSignatureVerifier());
  register(TOKENS.callState, (c) => cluster(c)?.callState ?? createMemoryCallStateStore());
  // With Redis, the last task scheduled under a key on any instance is the one that runs.
  register(TOKENS.scheduler, (c) => {
    const timers = createTimerScheduler();
    const backplane = cluster(c);
    const scheduler = backplane?.scheduler(timers) ?? timers;
    return get(c, TOKENS.shutdown).own(TOKENS.scheduler, scheduler);
  });
  register(TOKENS.sessionEvents, (c) => cluster(c)?.sessionEvents ?? createMemorySessionEvents());
  register(TOKENS.phoneVerifier, (c) => createPhoneVerifier(config, get(c, TOKENS.logger)));
  register(TOKENS.pushes, (c) => get(c, TOKENS.shutdown).own(TOKENS.pushes, createPushSender(c)));
  register(TOKENS.deps, (c): Deps => {
    const store = get(c, TOKENS.store);
    return {
      ...store,
      presence: get(c, TOKENS.presence),
      notifier: get(c, TOKENS.notifier),
      passwords: get(c, TOKENS.passwords),
      tokens: get(c, TOKENS.tokens),
      signatures: get(c, TOKENS.signatures),
      clock: get(c, TOKENS.clock),
      ids: get(c, TOKENS.ids),
      callState: get(c, TOKENS.callState),
      scheduler: get(c, TOKENS.scheduler),
      callQueue: cluster(c)?.callQueue ?? createKeyedQueue(),
      ringTimeoutMs: config.callRingTimeoutSec * 1000,
      presenceSubscriptions: get(c, TOKENS.presenceSubscriptions),
      presenceQueue: cluster(c)?.presenceQueue ?? createKeyedQueue(),
      // In this process only: across instances the log's unique index orders appends.
      eventQueue: createKeyedQueue(),
      eventRetentionMs: config.eventLogRetentionDays * 86_400_000,
      sessionEvents: get(c, TOKENS.sessionEvents),
      phoneVerifier: get(c, TOKENS.phoneVerifier),
      verificationCodes: get(c, TOKENS.verificationCodes),
      // The HTTP edge spends the app's rate limiters per request (routes/auth.ts).
      codeSendLimiter: createUnlimitedCodeSendLimiter(),
      phoneVerification: config.phoneVerification,
      pushes: get(c, TOKENS.pushes),
    };
  });
  register(TOKENS.readiness, (c) => {
    const database = get(c, TOKENS.database);
    const backplane = cluster(c);
    return async () => ({
      mongo: await database.status(),
      redis: backplane === null ? 'disabled' : await backplane.status(),
    });
  });
}

/** The HTTP app and server and the WebSocket hub, on the core's deps. */
function registerEdges(
  container: DependencyContainer,
  config: Config,
  websocket: WsHubOptions | undefined,
): void {
  const register = <T>(key: Token<T>, make: (c: DependencyContainer) => T) =>
    container.register(key, singleton(make));

  register(TOKENS.accessLog, (c) => createAccessLog(get(c, TOKENS.logger)));
  register(TOKENS.app, (c) => {
    const { limiters } = get(c, TOKENS.rateLimiters);
    return createHttpApp(get(c, TOKENS.deps), {
      metrics: get(c, TOKENS.metrics),
      accessLog: get(c, TOKENS.accessLog),
      logger: get(c, TOKENS.logger),
      readiness: get(c, TOKENS.readiness),
      rateLimits: config.rateLimits,
      rateLimiters: limiters,
      trustProxy: config.trustProxy,
      corsOrigins: config.corsOrigins,
      bodies: {
        readTimeoutMs: config.bodyReadTimeoutSec * 1000,
        maxLargeBodiesPerAddress: config.maxLargeBodiesPerIp,
      },
      vapidPublicKey: config.push.vapid?.publicKey ?? null,
      iceServers: createIceServerSource({
        stunUrls: config.stunUrls,
        turnUrls: config.turnUrls,
        turnSecret: config.turnSecret,
        ttlSec: config.turnTtlSec,
      }),
    });
  });
  register(TOKENS.hub, (c) => {
    const metrics = get(c, TOKENS.metrics);
    const accessLog = get(c, TOKENS.accessLog);
    const { limiters } = get(c, TOKENS.rateLimiters);
    const hub = createWsHub({
      ...websocket,
      deps: get(c, TOKENS.deps),
      sessionEvents: get(c, TOKENS.sessionEvents),
      connections: instrumentConnections(get(c, TOKENS.notifier), metrics),
      logger: get(c, TOKENS.logger),
      // Upgrades are requests too: counted and logged like the app's.
      upgrades: {
        started: () => metrics.requestStarted(),
        finished: (record) => {
          metrics.requestFinished(record);
          accessLog(record);
        },
      },
      frameBudget: config.rateLimits ? (websocket?.frameBudget ?? config.wsFrameBudget) : false,
      ...(limiters === undefined
        ? {}
        : {
            callLimits: { perUser: limiters.callPerUser, perPair: limiters.callPerPair },
            profileReads: limiters.profileReadsPerUser,
          }),
    });
    return get(c, TOKENS.shutdown).own(TOKENS.hub, hub);
  });
  register(TOKENS.http, (c) => {
    const server = createAdaptorServer({
      fetch: get(c, TOKENS.app).fetch,
      hostname: config.host,
    }) as Server;
    const http = trackHttpServer(server);
    const logger = get(c, TOKENS.logger);
    return get(c, TOKENS.shutdown).own(TOKENS.http, {
      server,
      async close() {
        // New connections are refused from here on; in-flight requests get SHUTDOWN_TIMEOUT to finish.
        const { cutRequests } = await http.drain(config.shutdownTimeoutSec * 1000);
        if (cutRequests > 0) {
          logger.warn(
            `Shutdown: ${cutRequests} request(s) still running after ${config.shutdownTimeoutSec} s were cut off.`,
          );
        }
      },
    });
  });
}

/**
 * A component made on its first resolve and kept. tsyringe's
 * `instanceCachingFactory` would make it again whenever it made null (no
 * cluster, no phone verifier), and `useValue` refuses null.
 */
function singleton<T>(make: (container: DependencyContainer) => T): FactoryProvider<T> {
  let made: { readonly value: T } | undefined;
  return {
    useFactory: (container) => {
      made ??= { value: make(container) };
      return made.value;
    },
  };
}

/**
 * Account deletions a crash cut short are finished before anything is served;
 * one that fails again stays pending for the next start.
 */
async function finishInterruptedDeletions(deps: Deps, logger: Logger): Promise<void> {
  const finished = await finishPendingDeletions(deps, {
    onError: (userId, error) => logger.error('account deletion sweep', error, { userId }),
  }).catch((error: unknown) => {
    logger.error('account deletion sweep', error);
    return 0;
  });
  if (finished > 0) logger.info(`Finished ${finished} interrupted account deletion(s).`);
}

/** The Redis backplane when `REDIS_URL` is set, else null (everything stays in this process). */
async function openCluster(config: Config, logger: Logger): Promise<RedisBackplane | null> {
  if (config.redisUrl === null) return null;
  const backplane = await openRedisBackplane({
    url: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    heartbeatMs: config.redisHeartbeatSec * 1000,
    instanceTtlMs: config.redisInstanceTtlSec * 1000,
    logger,
  });
  logger.info(
    `Redis backplane on: instance ${backplane.instanceId} shares pushes, calls and presence.`,
  );
  return backplane;
}

/**
 * MongoDB when `MONGODB_URI` is set (indexes created before anything is
 * served), else the embedded memory store with one warning line.
 */
async function openDatabase(config: Config, ids: IdGenerator, logger: Logger): Promise<Database> {
  if (config.mongodbUri === null) {
    logger.warn(
      'MONGODB_URI is not set: using the embedded in-memory store; all data is lost when the process exits.',
    );
    return {
      store: createMemoryStore(ids),
      status: async () => 'memory',
      close: async () => {},
    };
  }
  const connection = await connectMongo(config.mongodbUri);
  try {
    const store = await createMongoStore(connection.db);
    logger.info(`Using MongoDB database "${connection.db.databaseName}".`);
    return {
      store,
      status: async () => ((await connection.ping()) ? 'up' : 'down'),
      close: () => connection.close(),
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** The PHONE_VERIFIER adapter; null when none is configured (verification routes answer 404). */
function createPhoneVerifier(config: Config, logger: Logger): PhoneVerifier | null {
  if (config.phoneVerifier === 'log') {
    logger.warn(
      'PHONE_VERIFIER=log: verification codes are written to this log (development only).',
    );
    return createLogPhoneVerifier({ logger, nodeEnv: config.nodeEnv });
  }
  if (config.phoneVerifier === 'twilio' && config.twilio !== null) {
    return createTwilioPhoneVerifier({ ...config.twilio, logger });
  }
  return null;
}

/** The push queue with a provider per configured service; none configured: push is off. */
function createPushSender(c: DependencyContainer): PushDispatcher {
  const { push } = get(c, TOKENS.config);
  const logger = get(c, TOKENS.logger);
  const ca = push.caFile === null ? undefined : readFileSync(push.caFile, 'utf8');
  const allowPrivateEndpoints = push.allowPrivateEndpoints;
  if (allowPrivateEndpoints) {
    logger.warn(
      'PUSH_ALLOW_PRIVATE_ENDPOINTS=on: push endpoints may name local and private hosts (tests only).',
    );
  }
  return createPushDispatcher({
    providers: {
      ...(push.vapid !== null && {
        webpush: createWebPushProvider({ vapid: push.vapid, ca, allowPrivateEndpoints }),
      }),
      ...(push.apns !== null && {
        apns: createApnsProvider({
          privateKey: readFileSync(push.apns.keyFile, 'utf8'),
          keyId: push.apns.keyId,
          teamId: push.apns.teamId,
          bundleId: push.apns.bundleId,
          sandboxUrl: push.apns.sandboxUrl,
          productionUrl: push.apns.productionUrl,
          ca,
        }),
      }),
      ...(push.fcm !== null && {
        fcm: createFcmProvider({
          serviceAccount: parseServiceAccount(readFileSync(push.fcm.serviceAccountFile, 'utf8')),
          url: push.fcm.url,
        }),
      }),
    },
    sessions: get(c, TOKENS.store).sessions,
    clock: get(c, TOKENS.clock),
    metrics: get(c, TOKENS.metrics),
    logger,
    maxQueued: push.queueSize,
    allowPrivateEndpoints,
  });
}

function randomSecret(logger: Logger): string {
  logger.warn(
    'JWT_SECRET is not set: using a random secret; tokens stop working when the process restarts.',
  );
  return randomBytes(48).toString('base64url');
}

/**
 * On MongoDB, sessions recently read answer from memory until they end, so
 * that authenticating costs one round trip (the user); the cache follows the
 * announcements of ended sessions (live-session-cache.ts). The memory store's
 * reads are in this process already.
 */
function cacheLiveSessions(database: Database, c: DependencyContainer, config: Config): Store {
  const { store } = database;
  if (config.mongodbUri === null) return store;
  return {
    ...store,
    sessions: createLiveSessionCache(store.sessions, {
      events: get(c, TOKENS.sessionEvents),
      maxAgeMs: config.sessionCacheMs,
    }),
  };
}

/** The store with the repositories that feed the metrics decorated (the core never sees it). */
function instrumentStore(store: Store, c: DependencyContainer): Store {
  const metrics = get(c, TOKENS.metrics);
  return {
    ...store,
    calls: instrumentCallRepository(store.calls, metrics),
    keyBundles: instrumentKeyBundleRepository(store.keyBundles, metrics),
  };
}

/** One line per answered request; server errors at `error`. */
function createAccessLog(logger: Logger): AccessLog {
  return ({ requestId, method, route, status, durationMs }) => {
    logger.request({
      requestId,
      method,
      route,
      status,
      durationMs: Math.round(durationMs * 10) / 10,
    });
  };
}
