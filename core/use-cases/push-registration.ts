/**
 * @module A session's push registration: `PUT` and `DELETE
 * /api/auth/sessions/current/push` (docs/API.md "Push notifications").
 */
import type { Deps } from '../deps.js';
import { DomainError, ValidationError } from '../errors.js';
import type { PushRegistration, SessionId, UserId } from '../model.js';
import { checkRules, type Rule } from '../rules.js';

export interface SetPushRegistrationInput {
  readonly userId: UserId;
  readonly sessionId: SessionId;
  readonly registration: PushRegistration;
}

/** Longest Web Push endpoint taken (real ones are under 500 characters). */
export const MAX_PUSH_ENDPOINT_LENGTH = 2048;

export const PUSH_ENDPOINT_LENGTH_RULE: Rule = {
  test: (endpoint) => endpoint.length <= MAX_PUSH_ENDPOINT_LENGTH,
  message: `Must be at most ${MAX_PUSH_ENDPOINT_LENGTH} characters.`,
};

/**
 * Refuses, with `VALIDATION_FAILED` at the offending field, a registration of
 * a kind this server does not push to, and a Web Push or UnifiedPush endpoint
 * that is not `https:` or names `localhost` or an IP address instead of a
 * push service's DNS name (no request of ours may be aimed at the server's
 * own network). `allowPrivateEndpoints` (tests) lifts the endpoint rules.
 */
export function checkPushRegistration(
  deps: Pick<Deps, 'pushes'>,
  registration: PushRegistration,
): void {
  if (!deps.pushes.kinds.has(registration.kind)) {
    throw ValidationError.at('kind', `This server does not send ${registration.kind} pushes.`);
  }
  if (registration.kind !== 'webpush' && registration.kind !== 'unifiedpush') return;
  checkRules('endpoint', registration.endpoint, PUSH_ENDPOINT_LENGTH_RULE);
  let url: URL;
  try {
    url = new URL(registration.endpoint);
  } catch {
    throw ValidationError.at('endpoint', 'Must be an absolute URL.');
  }
  if (url.username !== '' || url.password !== '') {
    throw ValidationError.at('endpoint', 'Must not carry credentials.');
  }
  if (deps.pushes.allowPrivateEndpoints) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw ValidationError.at('endpoint', 'Must be an https URL.');
    }
    return;
  }
  if (url.protocol !== 'https:') throw ValidationError.at('endpoint', 'Must be an https URL.');
  if (isAddressOrLocal(url.hostname)) {
    throw ValidationError.at(
      'endpoint',
      "Must name a push service's host, not localhost or an IP address.",
    );
  }
}

/** IPv4 and IPv6 literals (the URL parser normalizes every IPv4 spelling), `localhost` and `*.localhost`. */
function isAddressOrLocal(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return (
    host.startsWith('[') ||
    /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ||
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    !host.includes('.')
  );
}

/**
 * Sets the push registration of the caller's current session, replacing any
 * it had; the same device address leaves any other session that held it.
 * `SESSION_NOT_FOUND` when the session ended meanwhile.
 */
export async function setPushRegistration(
  deps: Pick<Deps, 'sessions' | 'pushes'>,
  input: SetPushRegistrationInput,
): Promise<void> {
  checkPushRegistration(deps, input.registration);
  if (!(await deps.sessions.setPush(input.userId, input.sessionId, input.registration))) {
    throw sessionGone();
  }
}

/** Removes the current session's registration (none is fine). `SESSION_NOT_FOUND` when it ended. */
export async function removePushRegistration(
  deps: Pick<Deps, 'sessions'>,
  input: { readonly userId: UserId; readonly sessionId: SessionId },
): Promise<void> {
  if (!(await deps.sessions.setPush(input.userId, input.sessionId, null))) throw sessionGone();
}

function sessionGone(): DomainError {
  return new DomainError('SESSION_NOT_FOUND', 'This session has ended.');
}
