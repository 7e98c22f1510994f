/**
 * @module The composition root: the only place that knows which adapter
 * implements which port. tsyringe holds the graph; registrations use
 * `useValue`/`useFactory` with symbol tokens (no decorator metadata needed).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  type DependencyContainer,
  instanceCachingFactory,
  container as rootContainer,
} from 'tsyringe';
import { createArgon2PasswordHasher } from '../../adapters/crypto/argon2-password-hasher.js';
import {
  createHmacVerificationCodes,
  verificationKeyFrom,
} from '../../adapters/crypto/hmac-verification-codes.js';
import { createJoseTokenService } from '../../adapters/crypto/jose-token-service.js';
import { createLibsignalSignatureVerifier } from '../../adapters/crypto/libsignal-signature-verifier.js';
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
  instrumentKeyBundleRepository,
  type StoreMetrics,
} from '../../adapters/metrics/instrument.js';
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
import { createMemoryNotifier, type MemoryNotifier } from '../../adapters/wire/local-notifier.js';
import {
  createMemorySessionEvents,
  type LocalSessionEvents,
} from '../../adapters/wire/local-session-events.js';
import type { PushMetrics } from '../../adapters/wire/observation.js';
import {
  type CallStateStore,
  type Clock,
  createKeyedQueue,
  type Deps,
  finishPendingDeletions,
  type IdGenerator,
  type Notifier,
  type PasswordHasher,
  type PhoneVerifier,
  type PresenceStore,
  type PresenceSubscriptions,
  type Scheduler,
  type SignatureVerifier,
  type Store,
  type TokenService,
} from '../../core/index.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

/** Injection tokens, one per port. */
export const TOKENS = {
  config: Symbol('Config'),
  store: Symbol('Store'),
  passwords: Symbol('PasswordHasher'),
  tokens: Symbol('TokenService'),
  clock: Symbol('Clock'),
  ids: Symbol('IdGenerator'),
  presence: Symbol('PresenceStore'),
  presenceSubscriptions: Symbol('PresenceSubscriptions'),
  notifier: Symbol('Notifier'),
  signatures: Symbol('SignatureVerifier'),
  callState: Symbol('CallStateStore'),
  scheduler: Symbol('Scheduler'),
  sessionEvents: Symbol('SessionEvents'),
  phoneVerifier: Symbol('PhoneVerifier'),
  pushes: Symbol('PushSender'),
  deps: Symbol('Deps'),
} as const;

/** What /readyz reports about the backing stores. */
export interface Readiness {
  readonly mongo: 'up' | 'down' | 'memory';
  readonly redis: 'up' | 'down' | 'disabled';
}

export interface Composition {
  readonly deps: Deps;
  readonly container: DependencyContainer;
  readonly notifier: MemoryNotifier;
  /** Where ended sessions are heard (the WebSocket hub closes their sockets). */
  readonly sessionEvents: LocalSessionEvents;
  /** The push queue (`deps.pushes`): tests wait for it to be idle. */
  readonly pushes: PushDispatcher;
  /** What `GET /api/push/vapid-public-key` answers; null without Web Push. */
  readonly vapidPublicKey: string | null;
  readiness(): Promise<Readiness>;
  /** Releases every resource the composition opened. */
  close(): Promise<void>;
}

/**
 * Builds the object graph for `config`. Resources that need an `await` to exist
 * (the argon2 dummy hash, the imported JWT key, a database connection) are
 * created first and registered as values; everything else is a factory.
 */
export interface ComposeOptions {
  /** Counts calls by final status and one-time key claims by decorating the store; and pushes. */
  readonly metrics?: StoreMetrics & PushMetrics;
}

export async function compose(
  config: Config,
  logger: Logger,
  options: ComposeOptions = {},
): Promise<Composition> {
  const container = rootContainer.createChildContainer();
  const ids = createObjectIdGenerator();

  const secret = config.jwtSecret ?? randomSecret(logger);
  const [passwords, tokens] = await Promise.all([
    createArgon2PasswordHasher({ maxConcurrent: config.argon2Threads }),
    createJoseTokenService({ secret, ttlSec: config.jwtTtlSec }),
  ]);
  const backing = await openStore(config, ids, logger);
  const store = options.metrics ? instrumentStore(backing.store, options.metrics) : backing.store;
  // With REDIS_URL: the ports many instances share live in Redis (API.md §8).
  const cluster = await openCluster(config, logger).catch(async (error: unknown) => {
    await backing.close();
    throw error;
  });

  container.register(TOKENS.config, { useValue: config });
  container.register(TOKENS.ids, { useValue: ids });
  container.register<Store>(TOKENS.store, { useValue: store });
  container.register<PasswordHasher>(TOKENS.passwords, { useValue: passwords });
  container.register<TokenService>(TOKENS.tokens, { useValue: tokens });
  container.register(TOKENS.clock, {
    useFactory: instanceCachingFactory(() => createSystemClock()),
  });
  container.register(TOKENS.presence, {
    useFactory: instanceCachingFactory(() => cluster?.presence ?? createMemoryPresenceStore()),
  });
  container.register(TOKENS.presenceSubscriptions, {
    useFactory: instanceCachingFactory(
      () => cluster?.presenceSubscriptions ?? createMemoryPresenceSubscriptions(),
    ),
  });
  container.register(TOKENS.notifier, {
    useFactory: instanceCachingFactory(() => cluster?.notifier ?? createMemoryNotifier()),
  });
  container.register(TOKENS.signatures, {
    useFactory: instanceCachingFactory(() => createLibsignalSignatureVerifier()),
  });
  container.register(TOKENS.callState, {
    useFactory: instanceCachingFactory(() => cluster?.callState ?? createMemoryCallStateStore()),
  });
  container.register(TOKENS.scheduler, {
    useFactory: instanceCachingFactory(() => createTimerScheduler()),
  });
  container.register<LocalSessionEvents>(TOKENS.sessionEvents, {
    useFactory: instanceCachingFactory(() => cluster?.sessionEvents ?? createMemorySessionEvents()),
  });
  container.register<PhoneVerifier | null>(TOKENS.phoneVerifier, {
    useFactory: instanceCachingFactory(() => createPhoneVerifier(config, logger)),
  });
  container.register<PushDispatcher>(TOKENS.pushes, {
    useFactory: instanceCachingFactory((c) =>
      createPushSender(config, c.resolve<Store>(TOKENS.store), c.resolve<Clock>(TOKENS.clock), {
        logger,
        metrics: options.metrics,
      }),
    ),
  });
  const verificationCodes = createHmacVerificationCodes({ key: verificationKeyFrom(secret) });
  container.register<Deps>(TOKENS.deps, {
    useFactory: instanceCachingFactory<Deps>((c) => ({
      ...c.resolve<Store>(TOKENS.store),
      presence: c.resolve<PresenceStore>(TOKENS.presence),
      notifier: c.resolve<Notifier>(TOKENS.notifier),
      passwords: c.resolve<PasswordHasher>(TOKENS.passwords),
      tokens: c.resolve<TokenService>(TOKENS.tokens),
      signatures: c.resolve<SignatureVerifier>(TOKENS.signatures),
      clock: c.resolve<Clock>(TOKENS.clock),
      ids: c.resolve<IdGenerator>(TOKENS.ids),
      callState: c.resolve<CallStateStore>(TOKENS.callState),
      scheduler: c.resolve<Scheduler>(TOKENS.scheduler),
      callQueue: cluster?.callQueue ?? createKeyedQueue(),
      ringTimeoutMs: config.callRingTimeoutSec * 1000,
      presenceSubscriptions: c.resolve<PresenceSubscriptions>(TOKENS.presenceSubscriptions),
      presenceQueue: cluster?.presenceQueue ?? createKeyedQueue(),
      // In this process only: across instances the log's unique index orders appends.
      eventQueue: createKeyedQueue(),
      eventRetentionMs: config.eventLogRetentionDays * 86_400_000,
      sessions: c.resolve<Store>(TOKENS.store).sessions,
      verifications: c.resolve<Store>(TOKENS.store).verifications,
      sessionEvents: c.resolve<LocalSessionEvents>(TOKENS.sessionEvents),
      phoneVerifier: c.resolve<PhoneVerifier | null>(TOKENS.phoneVerifier),
      verificationCodes,
      // The HTTP edge spends the app's rate limiters per request (routes/auth.ts).
      codeSendLimiter: createUnlimitedCodeSendLimiter(),
      phoneVerification: config.phoneVerification,
      pushes: c.resolve<PushDispatcher>(TOKENS.pushes),
    })),
  });

  const deps = container.resolve<Deps>(TOKENS.deps);
  const sessionEvents = container.resolve<LocalSessionEvents>(TOKENS.sessionEvents);
  // An ended session's remembered tokens are forgotten on every instance.
  sessionEvents.onEnded((ended) => tokens.forgetSessions(ended.map((s) => s.sessionId)));
  // Heartbeats, and the sweeps of ring timeouts and dead instances, run on these deps.
  await cluster?.start(deps).catch(async (error: unknown) => {
    await cluster.close();
    await backing.close();
    throw error;
  });
  // Account deletions a crash cut short are finished before anything is served;
  // one that fails again stays pending for the next start.
  const finished = await finishPendingDeletions(deps, {
    onError: (userId, error) => logger.error('account deletion sweep', error, { userId }),
  }).catch((error: unknown) => {
    logger.error('account deletion sweep', error);
    return 0;
  });
  if (finished > 0) logger.info(`Finished ${finished} interrupted account deletion(s).`);
  const pushes = container.resolve<PushDispatcher>(TOKENS.pushes);
  return {
    deps,
    container,
    notifier: container.resolve<MemoryNotifier>(TOKENS.notifier),
    sessionEvents,
    pushes,
    vapidPublicKey: config.push.vapid?.publicKey ?? null,
    readiness: async () => ({
      mongo: await backing.status(),
      redis: cluster === null ? 'disabled' : await cluster.status(),
    }),
    close: async () => {
      // In-flight pushes may still delete dead registrations: before the store closes.
      await pushes.close();
      await container.dispose();
      // After the sockets closed (start-server): this instance's departures are announced.
      await cluster?.close();
      await backing.close();
      await passwords.close();
    },
  };
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

/** The persistent store and how to watch and release it. */
interface BackingStore {
  readonly store: Store;
  status(): Promise<Readiness['mongo']>;
  close(): Promise<void>;
}

/**
 * MongoDB when `MONGODB_URI` is set (indexes created before anything is
 * served), else the embedded memory store with one warning line.
 */
async function openStore(config: Config, ids: IdGenerator, logger: Logger): Promise<BackingStore> {
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
function createPushSender(
  config: Config,
  store: Store,
  clock: Clock,
  options: { readonly logger: Logger; readonly metrics: PushMetrics | undefined },
): PushDispatcher {
  const { push } = config;
  const ca = push.caFile === null ? undefined : readFileSync(push.caFile, 'utf8');
  const allowPrivateEndpoints = push.allowPrivateEndpoints;
  if (allowPrivateEndpoints) {
    options.logger.warn(
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
    sessions: store.sessions,
    clock,
    metrics: options.metrics,
    logger: options.logger,
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

/** The store with the repositories that feed the metrics decorated (the core never sees it). */
function instrumentStore(store: Store, metrics: StoreMetrics): Store {
  return {
    ...store,
    calls: instrumentCallRepository(store.calls, metrics),
    keyBundles: instrumentKeyBundleRepository(store.keyBundles, metrics),
  };
}
