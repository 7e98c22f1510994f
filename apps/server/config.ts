/**
 * @module Configuration from the environment, validated once at start-up with
 * messages that name the offending variable.
 */
import * as v from 'valibot';
import { commaList, wholeNumber } from './env-values.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import { PUSH_ENV_ENTRIES, type PushConfig, pushConfigFrom } from './push-config.js';
import {
  SECURITY_ENV_ENTRIES,
  type SecurityConfig,
  securityConfigFrom,
} from './security-config.js';

/** The validated configuration the server runs with. */
export interface Config extends SecurityConfig {
  readonly nodeEnv: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  /** null: the embedded in-memory store. */
  readonly mongodbUri: string | null;
  /** null: a random secret is generated (tokens die with the process). */
  readonly jwtSecret: string | null;
  readonly jwtTtlSec: number;
  /** How long a session read from MongoDB answers from memory (SESSION_CACHE_MS); 0: never. */
  readonly sessionCacheMs: number;
  /** Password hashes (argon2id) computed at once, each on its own low-priority thread (ARGON2_THREADS). */
  readonly argon2Threads: number;
  /** The RATE_LIMITS switch: false only with `RATE_LIMITS=off`. */
  readonly rateLimits: boolean;
  /** Seconds a call may ring unanswered (CALL_RING_TIMEOUT). */
  readonly callRingTimeoutSec: number;
  /** Days logged events are kept at least (EVENT_LOG_RETENTION_DAYS). */
  readonly eventLogRetentionDays: number;
  /** STUN server URLs (`stun:`/`stuns:`) handed to clients; empty: none. */
  readonly stunUrls: readonly string[];
  /** TURN server URLs (`turn:`/`turns:`); empty: no TURN entry. */
  readonly turnUrls: readonly string[];
  /** The secret shared with the TURN server (coturn `static-auth-secret`); set when `turnUrls` is. */
  readonly turnSecret: string | null;
  /** Lifetime of a TURN credential, and the ICE list's `ttl`, in seconds (TURN_TTL). */
  readonly turnTtlSec: number;
  /** The least severe level logged (LOG_LEVEL); `silent` logs nothing. */
  readonly logLevel: LogLevel;
  /** On SIGTERM/SIGINT, how long in-flight requests may take before they are cut (SHUTDOWN_TIMEOUT). */
  readonly shutdownTimeoutSec: number;
  /** Prefix of every Redis key and channel of the backplane (REDIS_KEY_PREFIX). */
  readonly redisKeyPrefix: string;
  /** With Redis: seconds between an instance's heartbeats (REDIS_HEARTBEAT). */
  readonly redisHeartbeatSec: number;
  /** With Redis: seconds without a heartbeat after which peers clean up an instance (REDIS_INSTANCE_TTL). */
  readonly redisInstanceTtlSec: number;
  /** `required`: registering needs a verified phone number (PHONE_VERIFICATION). */
  readonly phoneVerification: 'off' | 'required';
  /** Who sends verification codes (PHONE_VERIFIER); null: phone verification is not available. */
  readonly phoneVerifier: 'log' | 'twilio' | null;
  /** Twilio Verify settings; set when `phoneVerifier` is `twilio`. */
  readonly twilio: TwilioConfig | null;
  /** Push notification providers (PUSH_*); all null: push is off. */
  readonly push: PushConfig;
}

/** TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_VERIFY_SERVICE_SID, TWILIO_VERIFY_BASE_URL. */
export interface TwilioConfig {
  readonly accountSid: string;
  readonly authToken: string;
  readonly serviceSid: string;
  readonly baseUrl: string;
}

/** A configuration problem; `message` names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const nonEmpty = (name: string) =>
  v.pipe(v.string(), v.trim(), v.nonEmpty(`${name} must not be empty`));

// A comma-separated list of URLs with one of `schemes`.
const urlList = (name: string, schemes: readonly string[]) => {
  const pattern = new RegExp(`^(?:${schemes.join('|')}):\\S+$`);
  const expected = schemes.map((scheme) => `${scheme}:`).join(' or ');
  return commaList(name, (url) => pattern.test(url), `start with ${expected}`);
};

const EnvSchema = v.object({
  NODE_ENV: v.optional(
    v.picklist(
      ['development', 'production', 'test'],
      'NODE_ENV must be development, production or test',
    ),
    'development',
  ),
  PORT: v.optional(wholeNumber('PORT', 0, 65_535), '3000'),
  HOST: v.optional(nonEmpty('HOST'), '0.0.0.0'),
  MONGODB_URI: v.optional(
    v.pipe(
      nonEmpty('MONGODB_URI'),
      v.regex(/^mongodb(\+srv)?:\/\//, 'MONGODB_URI must start with mongodb:// or mongodb+srv://'),
    ),
  ),
  JWT_SECRET: v.optional(
    v.pipe(v.string(), v.minLength(32, 'JWT_SECRET must be at least 32 characters')),
  ),
  JWT_TTL: v.optional(wholeNumber('JWT_TTL', 60, 31_536_000), '604800'),
  SESSION_CACHE_MS: v.optional(wholeNumber('SESSION_CACHE_MS', 0, 60_000), '3000'),
  ARGON2_THREADS: v.optional(wholeNumber('ARGON2_THREADS', 1, 64), '2'),
  RATE_LIMITS: v.optional(v.picklist(['on', 'off'], 'RATE_LIMITS must be on or off'), 'on'),
  CALL_RING_TIMEOUT: v.optional(wholeNumber('CALL_RING_TIMEOUT', 1, 3600), '60'),
  EVENT_LOG_RETENTION_DAYS: v.optional(wholeNumber('EVENT_LOG_RETENTION_DAYS', 1, 3650), '30'),
  STUN_URLS: v.optional(urlList('STUN_URLS', ['stun', 'stuns'])),
  TURN_URLS: v.optional(urlList('TURN_URLS', ['turn', 'turns'])),
  TURN_SECRET: v.optional(nonEmpty('TURN_SECRET')),
  TURN_TTL: v.optional(wholeNumber('TURN_TTL', 60, 604_800), '86400'),
  LOG_LEVEL: v.optional(
    v.picklist(LOG_LEVELS, `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`),
    'info',
  ),
  SHUTDOWN_TIMEOUT: v.optional(wholeNumber('SHUTDOWN_TIMEOUT', 1, 600), '10'),
  // The Redis backplane (many instances, API.md §8); used with REDIS_URL.
  REDIS_KEY_PREFIX: v.optional(
    v.pipe(
      v.string(),
      v.regex(
        /^[\w:.-]{1,64}$/,
        'REDIS_KEY_PREFIX must be 1–64 letters, digits or _ : . - characters',
      ),
    ),
    'mycalls:',
  ),
  REDIS_HEARTBEAT: v.optional(wholeNumber('REDIS_HEARTBEAT', 1, 20), '10'),
  REDIS_INSTANCE_TTL: v.optional(wholeNumber('REDIS_INSTANCE_TTL', 2, 55), '30'),
  // Phone verification (docs/API.md "Phone verification").
  PHONE_VERIFICATION: v.optional(
    v.picklist(['off', 'required'], 'PHONE_VERIFICATION must be off or required'),
  ),
  PHONE_VERIFIER: v.optional(v.picklist(['log', 'twilio'], 'PHONE_VERIFIER must be log or twilio')),
  TWILIO_ACCOUNT_SID: v.optional(nonEmpty('TWILIO_ACCOUNT_SID')),
  TWILIO_AUTH_TOKEN: v.optional(nonEmpty('TWILIO_AUTH_TOKEN')),
  TWILIO_VERIFY_SERVICE_SID: v.optional(nonEmpty('TWILIO_VERIFY_SERVICE_SID')),
  TWILIO_VERIFY_BASE_URL: v.optional(
    v.pipe(
      nonEmpty('TWILIO_VERIFY_BASE_URL'),
      v.regex(/^https?:\/\/\S+$/, 'TWILIO_VERIFY_BASE_URL must be an http:// or https:// URL'),
    ),
    'https://verify.twilio.com',
  ),
  // REDIS_URL, TRUST_PROXY, CORS_ORIGINS and the RATE_LIMIT_* variables (SECURITY.md).
  ...SECURITY_ENV_ENTRIES,
  // Push notifications (docs/API.md "Push notifications").
  ...PUSH_ENV_ENTRIES,
});

/** Every variable the server reads (the README's configuration table lists each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.entries);

/**
 * Reads the configuration from `env`. Empty variables count as unset. Throws
 * `ConfigError` naming every bad variable at once (never one per try); with
 * `NODE_ENV=production` also when `JWT_SECRET`, `MONGODB_URI` or `PHONE_VERIFICATION` is
 * missing,
 * and when `TURN_URLS` is set without `TURN_SECRET`.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const problems: string[] = [];
  const bad = new Set<string>();
  let parsed = v.safeParse(EnvSchema, present);
  if (!parsed.success) {
    for (const issue of parsed.issues) {
      const name = v.getDotPath(issue) ?? '';
      bad.add(name);
      problems.push(issue.message.startsWith(name) ? issue.message : `${name}: ${issue.message}`);
    }
    // The rules across variables are still checked, on the variables that are sound
    // (the others at their defaults), so one run reports every problem.
    parsed = v.safeParse(
      EnvSchema,
      Object.fromEntries(Object.entries(present).filter(([name]) => !bad.has(name))),
    );
    if (!parsed.success) throw new ConfigError(problems);
  }
  const out = parsed.output;
  for (const problem of crossChecks(out, present)) {
    if (!problem.names.some((name) => bad.has(name))) problems.push(problem.message);
  }
  const phone = phoneConfigFrom(out);
  if ('problems' in phone) problems.push(...phone.problems);
  const security = securityConfigFrom(out);
  if ('problems' in security) problems.push(...security.problems);
  const push = pushConfigFrom(out);
  if ('problems' in push) problems.push(...push.problems);
  if (problems.length > 0 || 'problems' in security || 'problems' in phone || 'problems' in push) {
    throw new ConfigError(problems);
  }
  return {
    nodeEnv: out.NODE_ENV,
    port: out.PORT,
    host: out.HOST,
    mongodbUri: out.MONGODB_URI ?? null,
    jwtSecret: out.JWT_SECRET ?? null,
    jwtTtlSec: out.JWT_TTL,
    sessionCacheMs: out.SESSION_CACHE_MS,
    argon2Threads: out.ARGON2_THREADS,
    rateLimits: out.RATE_LIMITS === 'on',
    callRingTimeoutSec: out.CALL_RING_TIMEOUT,
    eventLogRetentionDays: out.EVENT_LOG_RETENTION_DAYS,
    stunUrls: out.STUN_URLS ?? [],
    turnUrls: out.TURN_URLS ?? [],
    turnSecret: out.TURN_SECRET ?? null,
    turnTtlSec: out.TURN_TTL,
    logLevel: out.LOG_LEVEL,
    shutdownTimeoutSec: out.SHUTDOWN_TIMEOUT,
    redisKeyPrefix: out.REDIS_KEY_PREFIX,
    redisHeartbeatSec: out.REDIS_HEARTBEAT,
    redisInstanceTtlSec: out.REDIS_INSTANCE_TTL,
    ...phone.config,
    ...security.config,
    ...push.config,
  };
}

type EnvOutput = v.InferOutput<typeof EnvSchema>;

/** Rules across variables; each problem names the variables it is about and what to do. */
function crossChecks(
  out: EnvOutput,
  present: Record<string, string | undefined>,
): { readonly names: readonly string[]; readonly message: string }[] {
  const problems: { names: string[]; message: string }[] = [];
  if (out.NODE_ENV === 'production') {
    if (present.JWT_SECRET === undefined) {
      problems.push({
        names: ['JWT_SECRET', 'NODE_ENV'],
        message:
          'JWT_SECRET is required in production: set it to at least 32 random characters (e.g. `openssl rand -base64 48`), the same on every instance',
      });
    }
    if (present.MONGODB_URI === undefined) {
      problems.push({
        names: ['MONGODB_URI', 'NODE_ENV'],
        message:
          'MONGODB_URI is required in production: set it to a mongodb:// URI (the embedded in-memory store is for development only)',
      });
    }
  }
  if ((out.TURN_URLS?.length ?? 0) > 0 && out.TURN_SECRET === undefined) {
    problems.push({
      names: ['TURN_URLS', 'TURN_SECRET'],
      message:
        "TURN_SECRET is required when TURN_URLS is set: set it to the TURN server's static-auth-secret, or unset TURN_URLS",
    });
  }
  if (out.REDIS_INSTANCE_TTL <= out.REDIS_HEARTBEAT) {
    problems.push({
      names: ['REDIS_INSTANCE_TTL', 'REDIS_HEARTBEAT'],
      message: `REDIS_INSTANCE_TTL must be longer than REDIS_HEARTBEAT (got ${out.REDIS_INSTANCE_TTL} and ${out.REDIS_HEARTBEAT})`,
    });
  }
  return problems;
}

type PhoneConfig = Pick<Config, 'phoneVerification' | 'phoneVerifier' | 'twilio'>;

/**
 * Phone verification settings. Outside production verification is `off` and
 * the verifier `log` unless set. In production PHONE_VERIFICATION must be set
 * explicitly, `log` is refused, and `required` needs a verifier; without
 * PHONE_VERIFIER there verification is unavailable (its routes answer 404).
 */
function phoneConfigFrom(out: EnvOutput): { config: PhoneConfig } | { problems: string[] } {
  const production = out.NODE_ENV === 'production';
  const problems: string[] = [];
  if (production && out.PHONE_VERIFICATION === undefined) {
    problems.push(
      'PHONE_VERIFICATION is required in production: set it to required (with PHONE_VERIFIER=twilio) so that numbers are proven, or to off to let anyone register any number',
    );
  }
  const phoneVerification = out.PHONE_VERIFICATION ?? 'off';
  const phoneVerifier = out.PHONE_VERIFIER ?? (production ? null : 'log');
  if (production && phoneVerifier === 'log') {
    problems.push(
      'PHONE_VERIFIER=log writes codes to the log and is refused in production: use twilio, or leave it unset with PHONE_VERIFICATION=off',
    );
  }
  if (production && phoneVerification === 'required' && phoneVerifier === null) {
    problems.push(
      'PHONE_VERIFICATION=required needs a verifier in production: set PHONE_VERIFIER=twilio and the TWILIO_* variables',
    );
  }
  let twilio: TwilioConfig | null = null;
  if (phoneVerifier === 'twilio') {
    const missing = (
      [
        ['TWILIO_ACCOUNT_SID', out.TWILIO_ACCOUNT_SID],
        ['TWILIO_AUTH_TOKEN', out.TWILIO_AUTH_TOKEN],
        ['TWILIO_VERIFY_SERVICE_SID', out.TWILIO_VERIFY_SERVICE_SID],
      ] as const
    ).filter(([, value]) => value === undefined);
    for (const [name] of missing)
      problems.push(
        `${name} is required when PHONE_VERIFIER=twilio: copy it from the Twilio console`,
      );
    if (missing.length === 0) {
      twilio = {
        accountSid: out.TWILIO_ACCOUNT_SID as string,
        authToken: out.TWILIO_AUTH_TOKEN as string,
        serviceSid: out.TWILIO_VERIFY_SERVICE_SID as string,
        baseUrl: out.TWILIO_VERIFY_BASE_URL,
      };
    }
  }
  if (problems.length > 0) return { problems };
  return { config: { phoneVerification, phoneVerifier, twilio } };
}
