/**
 * @module The `PushSender` the server runs: a bounded in-process queue in
 * front of the provider adapters (Web Push, APNs, FCM). `send` only queues,
 * so call signaling never waits for a push service; a few pushes are in
 * flight at once; 429, 5xx and network failures are tried again with
 * exponential back-off, or after the provider's `Retry-After` when it names
 * one, but never past the push's own expiry (a call push's ring deadline); a
 * registration the provider calls dead is deleted from its session (only if
 * the session still holds that address). A full queue drops the new push
 * (counted), never an older one.
 *
 * Once per device across instances: every push is queued by the one
 * instance whose compare-and-set decided the event, so no two instances
 * send the same one. A crash loses what was queued: pushes are a wake-up
 * hint, and the device syncs (and a call push carries its deadline) anyway.
 */
import type {
  Clock,
  PushDelivery,
  PushKind,
  PushSender,
  SessionRepository,
} from '../../core/index.js';
import type { PushMetrics, PushProviderName } from '../wire/observation.js';
import { describeRegistration, expiresAt } from './payload.js';

/** How one provider answered one push. */
export type ProviderResult =
  | { readonly outcome: 'sent' }
  /** The registration is dead (Web Push 404/410, APNs Unregistered/BadDeviceToken, FCM UNREGISTERED). */
  | { readonly outcome: 'gone'; readonly detail: string }
  /** Worth another try; `retryAfterMs` when the provider said when. */
  | { readonly outcome: 'retry'; readonly retryAfterMs: number | null; readonly detail: string }
  | { readonly outcome: 'failed'; readonly detail: string };

/** One push service. */
export interface PushProvider {
  readonly name: PushProviderName;
  send(delivery: PushDelivery, now: Date): Promise<ProviderResult>;
  /** Releases connections (APNs keeps one HTTP/2 session per host). */
  close?(): Promise<void>;
}

export interface PushDispatcherLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, error?: unknown, fields?: Record<string, unknown>): void;
}

export interface PushDispatcherOptions {
  /** By provider; a kind whose provider is absent is not offered (`kinds`). */
  readonly providers: {
    readonly webpush?: PushProvider;
    readonly apns?: PushProvider;
    readonly fcm?: PushProvider;
  };
  /** Where dead registrations are deleted. */
  readonly sessions: Pick<SessionRepository, 'clearPush'>;
  readonly clock: Clock;
  readonly metrics?: PushMetrics;
  readonly logger?: PushDispatcherLogger;
  /** Pushes waiting (retries included) beyond which new ones are dropped. Default 10 000. */
  readonly maxQueued?: number;
  /** Pushes in flight at once. Default 32. */
  readonly concurrency?: number;
  /** Tries per push, the first included. Default 4. */
  readonly maxAttempts?: number;
  /** First back-off; doubles per try. Default 1 s. */
  readonly baseBackoffMs?: number;
  /** Longest wait for a retry, `Retry-After` included. Default 5 min. */
  readonly maxBackoffMs?: number;
  readonly allowPrivateEndpoints?: boolean;
}

export interface PushDispatcher extends PushSender {
  /** Pushes queued or in flight. */
  readonly pending: number;
  /** Resolves once nothing is queued, waiting or in flight (tests). */
  idle(): Promise<void>;
  /** Stops taking pushes, drops waiting retries, lets in-flight ones finish, closes providers. */
  close(): Promise<void>;
}

interface Job {
  readonly delivery: PushDelivery;
  readonly provider: PushProvider;
  readonly expiresAt: number;
  attempt: number;
}

const PROVIDER_OF: Record<PushKind, 'webpush' | 'apns' | 'fcm'> = {
  webpush: 'webpush',
  unifiedpush: 'webpush',
  apns: 'apns',
  fcm: 'fcm',
};

export function createPushDispatcher(options: PushDispatcherOptions): PushDispatcher {
  const { providers, sessions, clock, metrics, logger } = options;
  const maxQueued = options.maxQueued ?? 10_000;
  const concurrency = options.concurrency ?? 32;
  const maxAttempts = options.maxAttempts ?? 4;
  const baseBackoffMs = options.baseBackoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 5 * 60_000;
  const kinds = new Set<PushKind>(
    (Object.keys(PROVIDER_OF) as PushKind[]).filter((kind) => providers[PROVIDER_OF[kind]]),
  );

  const ready: Job[] = [];
  const waiting = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let closed = false;
  let onIdle: (() => void)[] = [];

  const count = () => ready.length + waiting.size + inFlight;

  function checkIdle(): void {
    if (count() > 0) return;
    const resolvers = onIdle;
    onIdle = [];
    for (const resolve of resolvers) resolve();
  }

  function pump(): void {
    while (inFlight < concurrency && ready.length > 0) {
      const job = ready.shift()!;
      inFlight += 1;
      void attempt(job).finally(() => {
        inFlight -= 1;
        pump();
        checkIdle();
      });
    }
  }

  async function attempt(job: Job): Promise<void> {
    const { delivery, provider } = job;
    job.attempt += 1;
    let result: ProviderResult;
    try {
      result = await provider.send(delivery, clock.now());
    } catch (error) {
      result = { outcome: 'retry', retryAfterMs: null, detail: String(error) };
    }
    switch (result.outcome) {
      case 'sent':
        metrics?.pushed(provider.name, 'sent');
        return;
      case 'gone':
        metrics?.pushed(provider.name, 'gone');
        try {
          await sessions.clearPush(delivery.sessionId, delivery.registration);
        } catch (error) {
          logger?.error('Push: could not delete a dead registration', error, {
            sessionId: delivery.sessionId,
          });
        }
        return;
      case 'failed':
        metrics?.pushed(provider.name, 'failed');
        logger?.warn('Push refused', fieldsOf(delivery, result.detail));
        return;
      case 'retry':
        retry(job, result);
        return;
    }
  }

  function retry(job: Job, result: Extract<ProviderResult, { outcome: 'retry' }>): void {
    const { provider, delivery } = job;
    const backoff = Math.min(
      maxBackoffMs,
      result.retryAfterMs ?? baseBackoffMs * 2 ** (job.attempt - 1),
    );
    const at = clock.now().getTime() + backoff;
    if (closed || job.attempt >= maxAttempts || at >= job.expiresAt) {
      metrics?.pushed(provider.name, 'failed');
      logger?.warn('Push given up', fieldsOf(delivery, result.detail));
      return;
    }
    metrics?.pushed(provider.name, 'retried');
    const timer = setTimeout(() => {
      waiting.delete(timer);
      ready.push(job);
      pump();
    }, backoff);
    timer.unref();
    waiting.add(timer);
  }

  return {
    kinds,
    allowPrivateEndpoints: options.allowPrivateEndpoints ?? false,
    get pending() {
      return count();
    },
    send(deliveries) {
      const now = clock.now();
      for (const delivery of deliveries) {
        const provider = providers[PROVIDER_OF[delivery.registration.kind]];
        if (provider === undefined) continue;
        if (closed || count() >= maxQueued) {
          metrics?.pushed(provider.name, 'dropped');
          continue;
        }
        ready.push({
          delivery,
          provider,
          expiresAt: expiresAt(delivery.message, now).getTime(),
          attempt: 0,
        });
      }
      pump();
    },
    idle() {
      if (count() === 0) return Promise.resolve();
      return new Promise((resolve) => onIdle.push(resolve));
    },
    async close() {
      closed = true;
      for (const timer of waiting) clearTimeout(timer);
      waiting.clear();
      ready.length = 0;
      checkIdle();
      if (inFlight > 0) await new Promise<void>((resolve) => onIdle.push(resolve));
      await Promise.allSettled(Object.values(providers).map((provider) => provider?.close?.()));
    },
  };
}

/** Log fields of a push: never a token, an endpoint path or a payload. */
function fieldsOf(delivery: PushDelivery, detail: string): Record<string, unknown> {
  return {
    sessionId: delivery.sessionId,
    to: describeRegistration(delivery.registration),
    type: delivery.message.type,
    detail,
  };
}

/**
 * What every provider does with an answer it has no specific rule for:
 * 429 and 5xx are tried again (after `Retry-After` when given), the rest failed.
 */
export function resultOfStatus(
  status: number,
  retryAfter: string | readonly string[] | null | undefined,
  now: Date,
  detail: string,
): ProviderResult {
  if (status === 429 || status >= 500) {
    const header =
      typeof retryAfter === 'string' || retryAfter == null ? retryAfter : retryAfter[0];
    return { outcome: 'retry', retryAfterMs: retryAfterMs(header, now), detail };
  }
  return { outcome: 'failed', detail };
}

/** `Retry-After` in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, now: Date): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now.getTime());
}
