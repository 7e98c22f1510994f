/**
 * @module The security part of the configuration (SECURITY.md): every rate
 * limit, the Redis that shares them between instances, which proxies to
 * trust for the client's address, and the CORS origins. `config.ts` spreads
 * these variables into its schema, so messages name the variable as for any
 * other.
 */
import * as v from 'valibot';
import {
  DEFAULT_BODY_READ_TIMEOUT_MS,
  DEFAULT_MAX_LARGE_BODIES_PER_ADDRESS,
} from '../../adapters/http/body-guard.js';
import {
  DEFAULT_RATE_LIMIT_RULES,
  RATE_LIMIT_NAMES,
  type RateLimitName,
  type RateLimitRule,
  type RateLimitRules,
} from '../../adapters/http/rate-limiters.js';
import { DEFAULT_FRAME_BURST, DEFAULT_FRAMES_PER_SECOND } from '../../adapters/ws/frame-budget.js';
import { MAX_LOOKUP_PHONE_NUMBERS, MAX_PRESENCE_IDS_PER_REQUEST } from '../../core/index.js';
import { commaList, wholeNumber } from './env-values.js';

/** What `config.ts` adds to `Config` from these variables. */
export interface SecurityConfig {
  /** REDIS_URL: shared rate limits (and more, later) in Redis; null: each instance counts alone. */
  readonly redisUrl: string | null;
  /** TRUST_PROXY: reverse proxies of ours in front of the server; 0: X-Forwarded-For ignored. */
  readonly trustProxy: number;
  /** CORS_ORIGINS: browser origins allowed cross-origin; empty: no CORS headers at all. */
  readonly corsOrigins: readonly string[];
  /** RATE_LIMIT_*: `points` per `durationSec` for each HTTP limit. */
  readonly rateLimitRules: RateLimitRules;
  /** RATE_LIMIT_WS_FRAME_BURST and RATE_LIMIT_WS_FRAMES_PER_SEC: each socket's frame budget. */
  readonly wsFrameBudget: { readonly burst: number; readonly perSecond: number };
  /** BODY_READ_TIMEOUT: seconds to read one request body; slower ones get 408. */
  readonly bodyReadTimeoutSec: number;
  /** MAX_LARGE_BODIES_PER_IP: bodies over 64 KiB one address may send at once (off with RATE_LIMITS=off). */
  readonly maxLargeBodiesPerIp: number;
}

/** The variable of each HTTP limit. */
export const RATE_LIMIT_VARIABLES = {
  loginPerPhone: 'RATE_LIMIT_LOGIN_PER_PHONE',
  loginPerIp: 'RATE_LIMIT_LOGIN_PER_IP',
  registerPerIp: 'RATE_LIMIT_REGISTER_PER_IP',
  bundlePerPair: 'RATE_LIMIT_BUNDLE_PER_PAIR',
  bundlePerRequester: 'RATE_LIMIT_BUNDLE_PER_REQUESTER',
  bundlePerTarget: 'RATE_LIMIT_BUNDLE_PER_TARGET',
  sendPerUser: 'RATE_LIMIT_SEND_PER_USER',
  lookupPerUser: 'RATE_LIMIT_LOOKUP_PER_USER',
  codePerPhone: 'RATE_LIMIT_CODE_PER_PHONE',
  codePerIp: 'RATE_LIMIT_CODE_PER_IP',
  codePerCallingCode: 'RATE_LIMIT_CODE_PER_CALLING_CODE',
  profileReadsPerUser: 'RATE_LIMIT_PROFILE_READS_PER_USER',
  publishPerUser: 'RATE_LIMIT_PUBLISH_PER_USER',
  callPerUser: 'RATE_LIMIT_CALL_PER_USER',
  callPerPair: 'RATE_LIMIT_CALL_PER_PAIR',
} as const satisfies Record<RateLimitName, string>;

const MAX_POINTS = 1_000_000;
/** A week: the in-memory store keeps each window on a timer. */
const MAX_DURATION_SEC = 7 * 24 * 60 * 60;
const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };

/** `10/15m` → 10 points per 900 s; the duration takes s, m, h or d (bare: seconds). */
export function parseRateLimitRule(value: string): RateLimitRule | string {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*([smhd]?)\s*$/.exec(value);
  if (match === null) return 'must be <points>/<duration>, e.g. 10/15m (duration in s, m, h or d)';
  const points = Number(match[1]);
  const durationSec = Number(match[2]) * (UNIT_SECONDS[match[3] ?? ''] ?? 1);
  if (points < 1 || points > MAX_POINTS) return `points must be 1 to ${MAX_POINTS}`;
  if (durationSec < 1 || durationSec > MAX_DURATION_SEC) return 'duration must be 1s to 7d';
  return { points, durationSec };
}

/** The `10/15m` form of a rule, as the docs and `.env.example` show defaults. */
export function formatRateLimitRule(rule: RateLimitRule): string {
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rule.durationSec % seconds === 0)
      return `${rule.points}/${rule.durationSec / seconds}${unit}`;
  }
  return `${rule.points}/${rule.durationSec}s`;
}

const rule = (name: string) =>
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const parsed = parseRateLimitRule(dataset.value);
      if (typeof parsed === 'string') {
        addIssue({ message: `${name} ${parsed} (got ${JSON.stringify(dataset.value)})` });
        return NEVER;
      }
      return parsed;
    }),
  );

function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === entry;
  } catch {
    return false;
  }
}

/** The variables, for `config.ts` to spread into its schema. */
export const SECURITY_ENV_ENTRIES = {
  REDIS_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^rediss?:\/\/\S+$/, 'REDIS_URL must start with redis:// or rediss://'),
    ),
  ),
  TRUST_PROXY: v.optional(
    wholeNumber('TRUST_PROXY', 0, 10, 'how many proxies of ours stand in front of the server'),
    '0',
  ),
  CORS_ORIGINS: v.optional(
    commaList(
      'CORS_ORIGINS',
      isOrigin,
      'be origins such as https://app.example.org, without path or trailing slash',
    ),
  ),
  RATE_LIMIT_WS_FRAME_BURST: v.optional(
    wholeNumber('RATE_LIMIT_WS_FRAME_BURST', 1, 100_000, 'frames a socket may send at once'),
    String(DEFAULT_FRAME_BURST),
  ),
  RATE_LIMIT_WS_FRAMES_PER_SEC: v.optional(
    wholeNumber('RATE_LIMIT_WS_FRAMES_PER_SEC', 1, 100_000, 'frames per second sustained'),
    String(DEFAULT_FRAMES_PER_SECOND),
  ),
  BODY_READ_TIMEOUT: v.optional(
    wholeNumber('BODY_READ_TIMEOUT', 1, 300, 'seconds to read one request body'),
    String(DEFAULT_BODY_READ_TIMEOUT_MS / 1000),
  ),
  MAX_LARGE_BODIES_PER_IP: v.optional(
    wholeNumber(
      'MAX_LARGE_BODIES_PER_IP',
      1,
      100_000,
      'bodies over 64 KiB one address may send at once',
    ),
    String(DEFAULT_MAX_LARGE_BODIES_PER_ADDRESS),
  ),
  RATE_LIMIT_LOGIN_PER_PHONE: v.optional(rule('RATE_LIMIT_LOGIN_PER_PHONE')),
  RATE_LIMIT_LOGIN_PER_IP: v.optional(rule('RATE_LIMIT_LOGIN_PER_IP')),
  RATE_LIMIT_REGISTER_PER_IP: v.optional(rule('RATE_LIMIT_REGISTER_PER_IP')),
  RATE_LIMIT_BUNDLE_PER_PAIR: v.optional(rule('RATE_LIMIT_BUNDLE_PER_PAIR')),
  RATE_LIMIT_BUNDLE_PER_REQUESTER: v.optional(rule('RATE_LIMIT_BUNDLE_PER_REQUESTER')),
  RATE_LIMIT_BUNDLE_PER_TARGET: v.optional(rule('RATE_LIMIT_BUNDLE_PER_TARGET')),
  RATE_LIMIT_SEND_PER_USER: v.optional(rule('RATE_LIMIT_SEND_PER_USER')),
  RATE_LIMIT_LOOKUP_PER_USER: v.optional(rule('RATE_LIMIT_LOOKUP_PER_USER')),
  RATE_LIMIT_CODE_PER_PHONE: v.optional(rule('RATE_LIMIT_CODE_PER_PHONE')),
  RATE_LIMIT_CODE_PER_IP: v.optional(rule('RATE_LIMIT_CODE_PER_IP')),
  RATE_LIMIT_CODE_PER_CALLING_CODE: v.optional(rule('RATE_LIMIT_CODE_PER_CALLING_CODE')),
  RATE_LIMIT_PROFILE_READS_PER_USER: v.optional(rule('RATE_LIMIT_PROFILE_READS_PER_USER')),
  RATE_LIMIT_PUBLISH_PER_USER: v.optional(rule('RATE_LIMIT_PUBLISH_PER_USER')),
  RATE_LIMIT_CALL_PER_USER: v.optional(rule('RATE_LIMIT_CALL_PER_USER')),
  RATE_LIMIT_CALL_PER_PAIR: v.optional(rule('RATE_LIMIT_CALL_PER_PAIR')),
} satisfies Record<(typeof RATE_LIMIT_VARIABLES)[RateLimitName], unknown> & v.ObjectEntries;

type SecurityEnv = v.InferOutput<v.ObjectSchema<typeof SECURITY_ENV_ENTRIES, undefined>>;

/** The security settings from the parsed variables, or the problems found, each naming its variable. */
export function securityConfigFrom(
  out: SecurityEnv,
): { readonly config: SecurityConfig } | { readonly problems: readonly string[] } {
  const rules = Object.fromEntries(
    RATE_LIMIT_NAMES.map((name) => {
      return [name, out[RATE_LIMIT_VARIABLES[name]] ?? DEFAULT_RATE_LIMIT_RULES[name]];
    }),
  ) as Record<RateLimitName, RateLimitRule>;
  const problems: string[] = [];
  if (rules.lookupPerUser.points < MAX_LOOKUP_PHONE_NUMBERS) {
    problems.push(
      `${RATE_LIMIT_VARIABLES.lookupPerUser} must allow at least ${MAX_LOOKUP_PHONE_NUMBERS} numbers (one full lookup request)`,
    );
  }
  // A smaller budget could never pay for one full presence pull.
  if (rules.profileReadsPerUser.points < MAX_PRESENCE_IDS_PER_REQUEST) {
    problems.push(
      `${RATE_LIMIT_VARIABLES.profileReadsPerUser} must allow at least ${MAX_PRESENCE_IDS_PER_REQUEST} users (one full presence request)`,
    );
  }
  if (problems.length > 0) return { problems };
  const config: SecurityConfig = {
    redisUrl: out.REDIS_URL ?? null,
    trustProxy: out.TRUST_PROXY,
    corsOrigins: out.CORS_ORIGINS ?? [],
    rateLimitRules: rules,
    wsFrameBudget: {
      burst: out.RATE_LIMIT_WS_FRAME_BURST,
      perSecond: out.RATE_LIMIT_WS_FRAMES_PER_SEC,
    },
    bodyReadTimeoutSec: out.BODY_READ_TIMEOUT,
    maxLargeBodiesPerIp: out.MAX_LARGE_BODIES_PER_IP,
  };
  return { config };
}
