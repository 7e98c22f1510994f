/**
 * @module Shared pieces of the adversarial suite (SECURITY.md): apps with the
 * rate limits on, requests from a chosen client address, stores that report
 * any query operator reaching them, a recording error logger, and the error
 * shape every refusal must have.
 */
import { expect } from 'vitest';
import type { HttpDeps } from '../../adapters/http/create-http-app.js';
import {
  createRateLimiters,
  RATE_LIMIT_NAMES,
  type RateLimitName,
  type RateLimitRule,
  type RateLimitRules,
} from '../../adapters/http/rate-limiters.js';
import { createMemoryStore } from '../../adapters/memory/create-memory-store.js';
import { createObjectIdGenerator } from '../../adapters/memory/id-generator.js';
import { createMemoryPresenceStore } from '../../adapters/memory/presence-store.js';
import { STATUS_BY_CODE } from '../../adapters/wire/errors.js';
import {
  type CallOptions,
  type CallResult,
  createTestApp,
  type TestApp,
  type TestAppOptions,
} from '../support/http.js';
import { createPlainBundle } from '../support/libsignal-keys.js';
import { frameOf, type WsClient } from '../support/ws-client.js';

/** Rules so generous that only the limits a test sets ever bite. */
export const UNLIMITED: RateLimitRules = Object.fromEntries(
  RATE_LIMIT_NAMES.map((name) => [name, { points: 1_000_000, durationSec: 3600 }]),
) as Record<RateLimitName, RateLimitRule>;

/** An app with the rate limits on: `rules` over `UNLIMITED` (pass the defaults to test them). */
export function createLimitedApp(
  rules: Partial<RateLimitRules> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  return createTestApp({
    ...options,
    http: {
      ...options.http,
      rateLimits: true,
      rateLimiters: createRateLimiters({ rules: { ...UNLIMITED, ...rules } }),
    },
  });
}

/** Like `call` from test/support/http.ts, with the TCP peer set to `address`. */
export async function callFrom(
  app: TestApp['app'],
  address: string,
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
  const env = { incoming: { socket: { remoteAddress: address, remotePort: 40_000 } } };
  const response = await app.request(path, { method, headers, body: body ?? null }, env);
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('application/json') ?? false;
  return {
    status: response.status,
    headers: response.headers,
    body: isJson ? JSON.parse(text) : text,
  };
}

/** Asserts the contract's error shape, the status of `code`, and the request id header. */
export function expectError(res: CallResult, code: keyof typeof STATUS_BY_CODE): void {
  expect(res.body, JSON.stringify(res.body)).toMatchObject({ error: { code } });
  expect(Object.keys(res.body.error).sort()).toEqual(
    code === 'VALIDATION_FAILED' ? ['code', 'details', 'message'] : ['code', 'message'],
  );
  expect(res.status).toBe(STATUS_BY_CODE[code]);
  expect(res.headers.get('x-request-id')).toBeTruthy();
}

/** Asserts `429 RATE_LIMITED` with a `Retry-After` of 1…`maxSec` whole seconds. */
export function expectRateLimited(res: CallResult, maxSec: number): void {
  expectError(res, 'RATE_LIMITED');
  const retryAfter = res.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxSec);
}

/** A publish body (32-byte identity key) with `count` one-time keys of each kind. */
export function bundleWith(count: number) {
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  return createPlainBundle({ oneTimeIds: ids, kyberOneTimeIds: ids });
}

/** True when `value` holds an object key starting with `$` (a MongoDB operator), at any depth. */
export function holdsOperator(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  if (value instanceof Date || value instanceof Uint8Array) return false;
  seen.add(value);
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$') || holdsOperator(child, seen)) return true;
  }
  return false;
}

/**
 * Fresh memory stores wrapped so that every call whose arguments hold a
 * MongoDB operator is recorded in `violations` (and still passed on). Pass
 * `deps` to `createTestApp({ deps })`.
 */
export function guardedStores(): { deps: Partial<HttpDeps>; violations: string[] } {
  const deps = {
    ...createMemoryStore(createObjectIdGenerator()),
    presence: createMemoryPresenceStore(),
  };
  const violations: string[] = [];
  const guard = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (args.some((arg) => holdsOperator(arg))) {
            violations.push(`${name}.${String(property)}(${JSON.stringify(args).slice(0, 200)})`);
          }
          return value.apply(target, args);
        };
      },
    });
  return {
    violations,
    deps: {
      users: guard('users', deps.users),
      messages: guard('messages', deps.messages),
      conversations: guard('conversations', deps.conversations),
      keyBundles: guard('keyBundles', deps.keyBundles),
      calls: guard('calls', deps.calls),
      blocks: guard('blocks', deps.blocks),
      presence: guard('presence', deps.presence),
    },
  };
}

/** An error logger that keeps what it is given (unexpected errors: answered 500). */
export function recordingLogger() {
  const errors: { message: string; error: unknown }[] = [];
  return {
    errors,
    error(message: string, error?: unknown) {
      errors.push({ message, error });
    },
    info() {},
    warn() {},
  };
}

/** An `sdp` that makes an `offer` frame just under the 64 KiB frame limit. */
export const BIG_SDP = 'v'.repeat(60 * 1024);

/**
 * `caller` rings `callee`, the callee's socket stops reading, and the caller
 * sends 99 offers of 60 KiB (inside the frame budget's burst of 100) and
 * waits `stallMs` more; then the callee reads again, accepts, and both sides
 * exchange frames of the call.
 */
export async function floodStalledCallee(
  caller: WsClient,
  callee: WsClient,
  calleeId: string,
  stallMs = 500,
): Promise<void> {
  caller.send('call-user', { to: calleeId });
  const { callId } = (await caller.waitFor(frameOf('call-ringing'))).payload as { callId: string };
  await callee.waitFor(frameOf('call-user', { callId }));

  callee.socket.pause();
  for (let i = 0; i < 99; i++) caller.send('offer', { callId, sdp: BIG_SDP, n: i });
  // Every offer has been relayed once the caller's next frame is answered.
  await caller.roundTrip(10_000);
  await new Promise((resolve) => setTimeout(resolve, stallMs));
  expect(callee.socket.readyState).toBe(callee.socket.OPEN);
  callee.socket.resume();

  // The callee's link is back: its socket is open and the call goes on.
  await callee.roundTrip(10_000);
  expect(callee.socket.readyState).toBe(callee.socket.OPEN);
  const offers = callee.frames.filter((frame) => frame.type === 'offer');
  // Some offers were dropped, never reordered or duplicated.
  const numbers = offers.map((frame) => frame.payload.n as number);
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(numbers.length).toBeLessThan(99);

  callee.send('call-accepted', { callId });
  await caller.waitFor(frameOf('call-accepted', { callId }), 10_000);
  caller.send('offer', { callId, sdp: 'after the flood' });
  await callee.waitFor(frameOf('offer', { callId, sdp: 'after the flood' }), 10_000);
  callee.send('answer', { callId, sdp: 'answer' });
  await caller.waitFor(frameOf('answer', { callId, sdp: 'answer' }), 10_000);
  callee.send('call-ended', { callId });
  await caller.waitFor(frameOf('call-ended', { callId, reason: 'hangup' }), 10_000);
  expect(callee.socket.readyState).toBe(callee.socket.OPEN);
  expect(caller.socket.readyState).toBe(caller.socket.OPEN);
}

/** The sockets of the call-id squatting scenario: anyone may sit on any instance. */
export interface SquatSockets {
  /** Chooses the ids a victim might pick, for calls of its own. */
  readonly squatter: WsClient;
  /** Online: the squatter's live call rings here. */
  readonly bystander: WsClient;
  readonly victim: WsClient;
  readonly victimsCallee: WsClient;
}

/**
 * The squatter places calls with ids a client might choose (`c-1` to an
 * offline user: a past call; `live-1` ringing); the victim's calls with the
 * same ids ring anyway, under fresh server-chosen ids, and work; only the
 * victim's reuse of its own id is `CALL_EXISTS`.
 */
export async function expectChosenIdsScoped(
  sockets: SquatSockets,
  ids: { readonly offline: string; readonly bystander: string; readonly victimsCallee: string },
): Promise<void> {
  const { squatter, bystander, victim, victimsCallee } = sockets;
  squatter.send('call-user', { to: ids.offline, callId: 'c-1' });
  await squatter.waitFor(frameOf('call-unavailable', { callId: 'c-1' }));
  squatter.send('call-user', { to: ids.bystander, callId: 'live-1' });
  await squatter.waitFor(frameOf('call-ringing', { callId: 'live-1' }));
  await bystander.waitFor(frameOf('call-user', { callId: 'live-1' }));

  for (const chosen of ['c-1', 'live-1']) {
    victim.send('call-user', { to: ids.victimsCallee, callId: chosen });
    const ringing = await victim.waitFor(frameOf('call-ringing', { to: ids.victimsCallee }));
    const callId = ringing.payload.callId as string;
    expect(callId).toMatch(/^[0-9a-f]{24}$/);
    await victimsCallee.waitFor(frameOf('call-user', { callId }));
    victimsCallee.send('call-accepted', { callId });
    await victim.waitFor(frameOf('call-accepted', { callId }));
    victim.send('call-ended', { callId });
    await victimsCallee.waitFor(frameOf('call-ended', { callId, reason: 'hangup' }));
  }
  // The squatter's own calls are untouched.
  await squatter.expectNoFrame(frameOf('call-ended', { callId: 'live-1' }), 50);

  // A victim who reuses an id of its own call is told, as before.
  victim.send('call-user', { to: ids.victimsCallee, callId: 'v-own' });
  await victim.waitFor(frameOf('call-ringing', { callId: 'v-own' }));
  victim.send('call-ended', { callId: 'v-own' });
  await victimsCallee.waitFor(frameOf('call-ended', { callId: 'v-own' }));
  victim.send('call-user', { to: ids.victimsCallee, callId: 'v-own' });
  const refused = await victim.waitFor(frameOf('error', { code: 'CALL_EXISTS' }));
  expect(refused.payload.type).toBe('call-user');
}
