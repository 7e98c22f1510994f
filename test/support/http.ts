/**
 * @module HTTP app tests without a port: `createTestApp()` builds the app on
 * memory stores with the real argon2 and jose adapters and the libsignal
 * verifier, and `call`/`registerUser` talk to it through `app.request()`.
 */
import type { Hono } from 'hono';
import { createArgon2PasswordHasher } from '../../adapters/crypto/argon2-password-hasher.js';
import {
  createHmacVerificationCodes,
  verificationKeyFrom,
} from '../../adapters/crypto/hmac-verification-codes.js';
import { createJoseTokenService } from '../../adapters/crypto/jose-token-service.js';
import { createLibsignalSignatureVerifier } from '../../adapters/crypto/libsignal-signature-verifier.js';
import {
  type AppEnv,
  createHttpApp,
  type HttpAppOptions,
  type HttpDeps,
} from '../../adapters/http/create-http-app.js';
import { createMemoryCallStateStore } from '../../adapters/memory/call-state-store.js';
import { createFixedClock } from '../../adapters/memory/clock.js';
import { createUnlimitedCodeSendLimiter } from '../../adapters/memory/code-send-limiter.js';
import { createMemoryStore } from '../../adapters/memory/create-memory-store.js';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import { createMemoryPresenceStore } from '../../adapters/memory/presence-store.js';
import { createMemoryPresenceSubscriptions } from '../../adapters/memory/presence-subscriptions.js';
import { createMemoryPushSender } from '../../adapters/memory/push-sender.js';
import { createTimerScheduler } from '../../adapters/memory/scheduler.js';
import { createMemoryNotifier, type MemoryNotifier } from '../../adapters/wire/local-notifier.js';
import {
  createMemorySessionEvents,
  type LocalSessionEvents,
} from '../../adapters/wire/local-session-events.js';
import { createKeyedQueue, DEFAULT_EVENT_RETENTION_MS } from '../../core/index.js';
import { createRecordingPhoneVerifier } from './fakes.js';

export const TEST_JWT_SECRET = 'http-test-secret-that-is-long-enough-for-hs256';
export const TEST_PASSWORD = 'correct horse battery';

export type TestHttpApp = Hono<AppEnv>;

export interface TestApp {
  readonly app: TestHttpApp;
  readonly deps: HttpDeps;
  readonly clock: ReturnType<typeof createFixedClock>;
  readonly notifier: MemoryNotifier;
  /** Keeps every code "sent"; `lastCode(phone)` reads the newest. */
  readonly verifier: ReturnType<typeof createRecordingPhoneVerifier>;
  readonly sessionEvents: LocalSessionEvents;
}

export interface TestAppOptions {
  /** Replaces single ports (e.g. a failing repository). */
  readonly deps?: Partial<HttpDeps>;
  readonly http?: HttpAppOptions;
}

let crypto: Promise<Pick<HttpDeps, 'passwords' | 'tokens'>> | undefined;

/** One argon2 hasher and token service per test file: building them costs a hash. */
function sharedCrypto(): Promise<Pick<HttpDeps, 'passwords' | 'tokens'>> {
  crypto ??= Promise.all([
    createArgon2PasswordHasher({ maxConcurrent: 4 }),
    createJoseTokenService({ secret: TEST_JWT_SECRET, ttlSec: 3600 }),
  ]).then(([passwords, tokens]) => ({ passwords, tokens }));
  return crypto;
}

/** A fresh app on empty memory stores; the clock stands still until advanced. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const ids = createObjectIdGenerator();
  const clock = createFixedClock(new Date('2026-03-01T12:00:00.000Z'));
  const notifier = createMemoryNotifier();
  const verifier = createRecordingPhoneVerifier();
  const sessionEvents = createMemorySessionEvents();
  const deps: HttpDeps = {
    ...createMemoryStore(ids),
    ...(await sharedCrypto()),
    presence: createMemoryPresenceStore(),
    notifier,
    callState: createMemoryCallStateStore(),
    scheduler: createTimerScheduler(),
    callQueue: createKeyedQueue(),
    eventQueue: createKeyedQueue(),
    eventRetentionMs: DEFAULT_EVENT_RETENTION_MS,
    presenceSubscriptions: createMemoryPresenceSubscriptions(),
    signatures: createLibsignalSignatureVerifier(),
    clock,
    ids,
    sessionEvents,
    phoneVerifier: verifier,
    verificationCodes: createHmacVerificationCodes({ key: verificationKeyFrom(TEST_JWT_SECRET) }),
    codeSendLimiter: createUnlimitedCodeSendLimiter(),
    phoneVerification: 'off',
    pushes: createMemoryPushSender(),
    ...options.deps,
  };
  const app = createHttpApp(deps, { rateLimits: false, ...options.http });
  return { app, deps, clock, notifier, verifier, sessionEvents };
}

export interface CallOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  readonly json?: unknown;
  /** Sent as is; set `content-type` in `headers` yourself. */
  readonly raw?: RequestInit['body'];
  /** Sent as `x-auth-token`. */
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies as loosely as a client would.
  readonly body: any;
}

/** One request through `app.request()`; a JSON answer is parsed, anything else kept as text. */
export async function call(
  app: TestHttpApp,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers = new Headers(options.headers);
  if (options.token !== undefined) headers.set('x-auth-token', options.token);
  let body: RequestInit['body'] = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (body !== undefined && body !== null) {
    init.body = body;
    if (body instanceof ReadableStream) init.duplex = 'half';
  }
  const response = await app.request(path, init);
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return {
    status: response.status,
    headers: response.headers,
    body: isJson ? JSON.parse(text) : text,
  };
}

export interface RegisteredUser {
  readonly token: string;
  readonly sessionId: string;
  readonly userId: string;
  readonly phoneNumber: string;
  readonly username: string | null;
  readonly displayName: string;
  readonly password: string;
}

let registered = 0;

/** A phone number no other call of this helper hands out. */
export function uniquePhoneNumber(): string {
  registered += 1;
  return `+1555${String(registered).padStart(7, '0')}`;
}

/** Registers a user (unique phone and username unless given) and returns its session. */
export async function registerUser(
  app: TestHttpApp,
  overrides: Partial<{
    phoneNumber: string;
    username: string | null;
    displayName: string;
    password: string;
  }> = {},
): Promise<RegisteredUser> {
  const phoneNumber = overrides.phoneNumber ?? uniquePhoneNumber();
  const body = {
    phoneNumber,
    username: overrides.username === undefined ? `user_${registered}` : overrides.username,
    displayName: overrides.displayName ?? `User ${registered}`,
    password: overrides.password ?? TEST_PASSWORD,
  };
  const result = await call(app, 'POST', '/api/auth/register', { json: body });
  if (result.status !== 201) {
    throw new Error(`register failed: ${result.status} ${JSON.stringify(result.body)}`);
  }
  return {
    token: result.body.token,
    sessionId: result.body.sessionId,
    userId: result.body.userId,
    phoneNumber: result.body.phoneNumber,
    username: result.body.username,
    displayName: result.body.displayName,
    password: body.password,
  };
}

/** An id of the right shape that no store handed out. */
export const UNKNOWN_ID = 'ffffffffffffffffffffffff';
