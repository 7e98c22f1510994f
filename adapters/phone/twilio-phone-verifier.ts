/**
 * @module Twilio Verify v2 over `fetch`: Twilio draws, sends and checks the
 * codes. Requests are form-encoded with Basic auth (account SID : auth token):
 * `POST {baseUrl}/v2/Services/{serviceSid}/Verifications` (`To`, `Channel`
 * `sms` | `call`) and `…/VerificationCheck` (`To`, `Code`).
 *
 * Answers, as Twilio documents them, and what they become here:
 * - a check answered `200` with `status` `approved` → approved; `pending` →
 *   wrong code; `canceled` or `expired` → expired; `max_attempts_reached` →
 *   exhausted;
 * - `404` 20404 (no pending verification: expired, approved or canceled) →
 *   expired on a check;
 * - `429` 60202 (max check attempts) → exhausted; `429` 60203 (max send
 *   attempts) → `RATE_LIMITED` until Twilio's 10-minute window ends; any
 *   other `429` (20429, too many requests) → `RATE_LIMITED` with Twilio's
 *   `Retry-After`;
 * - `400` 60200 (invalid parameter) on a send → `VALIDATION_FAILED` on
 *   `phoneNumber` (Twilio will not send there); on a check → wrong code;
 * - `5xx` and network failures: a send is retried (`retries` times, waiting
 *   `retryDelayMs`, doubling), since Twilio answers a repeated send for a
 *   pending verification with the same verification; a check is never
 *   retried (Twilio may have counted it) and answers `SERVICE_UNAVAILABLE`;
 * - anything else (bad credentials 20003, unknown service) →
 *   `SERVICE_UNAVAILABLE`, logged: it is our configuration, not the client.
 */
import {
  type PhoneVerifier,
  RateLimitedError,
  type RemoteCheckResult,
  ServiceUnavailableError,
  ValidationError,
} from '../../core/index.js';

export interface TwilioPhoneVerifierOptions {
  readonly accountSid: string;
  readonly authToken: string;
  readonly serviceSid: string;
  /** Default `https://verify.twilio.com`; tests point it at a local server. */
  readonly baseUrl?: string;
  /** Extra tries of a send after a 5xx or network failure. Default 2. */
  readonly retries?: number;
  /** Wait before the first retry, doubled each time. Default 250 ms. */
  readonly retryDelayMs?: number;
  /** Per-request budget. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Where configuration problems are reported. */
  readonly logger?: { warn(message: string): void };
}

interface TwilioAnswer {
  readonly status: number;
  readonly body: { code?: unknown; status?: unknown; message?: unknown };
  readonly retryAfterSec: number | null;
}

const TWILIO_SEND_WINDOW_SEC = 600;

export function createTwilioPhoneVerifier(options: TwilioPhoneVerifierOptions): PhoneVerifier {
  const base = `${(options.baseUrl ?? 'https://verify.twilio.com').replace(/\/+$/, '')}/v2/Services/${encodeURIComponent(options.serviceSid)}`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 5000;

  async function post(path: string, form: Record<string, string>): Promise<TwilioAnswer | null> {
    try {
      const response = await fetch(`${base}/${path}`, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(form).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      let body: TwilioAnswer['body'] = {};
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed !== null && typeof parsed === 'object') body = parsed as TwilioAnswer['body'];
      } catch {
        // A body that is not JSON (a proxy's error page): the status decides alone.
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        status: response.status,
        body,
        retryAfterSec: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
      };
    } catch {
      return null; // Network failure or timeout.
    }
  }

  function unavailable(answer: TwilioAnswer | null, what: string): ServiceUnavailableError {
    if (answer !== null && answer.status < 500) {
      options.logger?.warn(
        `Twilio Verify refused a ${what}: HTTP ${answer.status}, code ${String(answer.body.code)} (check TWILIO_* settings).`,
      );
    }
    return new ServiceUnavailableError('The verification provider is unavailable; retry later.');
  }

  function rateLimited(answer: TwilioAnswer): RateLimitedError {
    if (answer.body.code === 60203) {
      return new RateLimitedError(
        TWILIO_SEND_WINDOW_SEC,
        'Too many codes were sent to this number; retry after the time in Retry-After.',
      );
    }
    return new RateLimitedError(answer.retryAfterSec ?? 1);
  }

  return {
    ownsCodes: true,
    async send({ phoneNumber, transport }) {
      const form = { To: phoneNumber, Channel: transport === 'voice' ? 'call' : 'sms' };
      let answer: TwilioAnswer | null = null;
      for (let attempt = 0; attempt <= retries; attempt++) {
        if (attempt > 0) await delay(retryDelayMs * 2 ** (attempt - 1));
        answer = await post('Verifications', form);
        if (answer !== null && answer.status < 500) break;
      }
      if (answer === null || answer.status >= 500) throw unavailable(answer, 'send');
      if (answer.status === 200 || answer.status === 201) return;
      if (answer.status === 429) throw rateLimited(answer);
      if (answer.status === 400 && answer.body.code === 60200) {
        throw ValidationError.at('phoneNumber', 'Codes cannot be sent to this number.');
      }
      throw unavailable(answer, 'send');
    },
    async check({ phoneNumber, code }): Promise<RemoteCheckResult> {
      const answer = await post('VerificationCheck', { To: phoneNumber, Code: code });
      if (answer === null || answer.status >= 500) throw unavailable(answer, 'check');
      if (answer.status === 200) {
        switch (answer.body.status) {
          case 'approved':
            return 'approved';
          case 'pending':
            return 'wrong';
          case 'canceled':
          case 'expired':
            return 'expired';
          case 'max_attempts_reached':
            return 'exhausted';
          default:
            throw unavailable(answer, 'check');
        }
      }
      if (answer.status === 404 && answer.body.code === 20404) return 'expired';
      if (answer.status === 429 && answer.body.code === 60202) return 'exhausted';
      if (answer.status === 429) throw rateLimited(answer);
      if (answer.status === 400 && answer.body.code === 60200) return 'wrong';
      throw unavailable(answer, 'check');
    },
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
