import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_RULES } from '../../adapters/http/rate-limiters.js';
import { ConfigError, loadConfig } from './config.js';

const secret = 'x'.repeat(32);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to development on port 3000 with the in-memory store and rate limits on', () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: 'development',
      port: 3000,
      host: '0.0.0.0',
      mongodbUri: null,
      jwtSecret: null,
      jwtTtlSec: 604_800,
      sessionCacheMs: 3000,
      argon2Threads: 2,
      rateLimits: true,
      callRingTimeoutSec: 60,
      eventLogRetentionDays: 30,
      stunUrls: [],
      turnUrls: [],
      turnSecret: null,
      turnTtlSec: 86_400,
      logLevel: 'info',
      shutdownTimeoutSec: 10,
      redisKeyPrefix: 'mycalls:',
      redisHeartbeatSec: 10,
      redisInstanceTtlSec: 30,
      redisUrl: null,
      trustProxy: 0,
      corsOrigins: [],
      phoneVerification: 'off',
      phoneVerifier: 'log',
      twilio: null,
      push: {
        vapid: null,
        apns: null,
        fcm: null,
        caFile: null,
        allowPrivateEndpoints: false,
        queueSize: 10_000,
      },
      rateLimitRules: DEFAULT_RATE_LIMIT_RULES,
      wsFrameBudget: { burst: 100, perSecond: 50 },
      bodyReadTimeoutSec: 30,
      maxLargeBodiesPerIp: 8,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        NODE_ENV: 'production',
        PORT: '8080',
        HOST: '127.0.0.1',
        MONGODB_URI: 'mongodb://db:27017/mycalls',
        JWT_SECRET: secret,
        JWT_TTL: '3600',
        SESSION_CACHE_MS: '0',
        ARGON2_THREADS: '4',
        RATE_LIMITS: 'off',
        CALL_RING_TIMEOUT: '30',
        EVENT_LOG_RETENTION_DAYS: '7',
        STUN_URLS: 'stun:stun.example.org:3478',
        TURN_URLS: 'turn:turn.example.org:3478',
        TURN_SECRET: 'turn-secret',
        TURN_TTL: '3600',
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT: '30',
        REDIS_KEY_PREFIX: 'calls-eu:',
        REDIS_HEARTBEAT: '5',
        REDIS_INSTANCE_TTL: '15',
        REDIS_URL: 'redis://cache:6379/0',
        TRUST_PROXY: '1',
        CORS_ORIGINS: 'https://app.example.org',
        RATE_LIMIT_LOGIN_PER_PHONE: '1/1s',
        RATE_LIMIT_LOGIN_PER_IP: '2/2m',
        RATE_LIMIT_REGISTER_PER_IP: '3/3h',
        RATE_LIMIT_BUNDLE_PER_PAIR: '4/4d',
        RATE_LIMIT_BUNDLE_PER_REQUESTER: '5/5',
        RATE_LIMIT_BUNDLE_PER_TARGET: '6/6m',
        RATE_LIMIT_SEND_PER_USER: '7/7m',
        RATE_LIMIT_LOOKUP_PER_USER: '800/8h',
        RATE_LIMIT_PROFILE_READS_PER_USER: '900/9h',
        RATE_LIMIT_PUBLISH_PER_USER: '11/11m',
        RATE_LIMIT_CALL_PER_USER: '12/12m',
        RATE_LIMIT_CALL_PER_PAIR: '13/13m',
        BODY_READ_TIMEOUT: '14',
        MAX_LARGE_BODIES_PER_IP: '15',
        RATE_LIMIT_WS_FRAME_BURST: '9',
        RATE_LIMIT_WS_FRAMES_PER_SEC: '10',
        RATE_LIMIT_CODE_PER_PHONE: '11/1h',
        RATE_LIMIT_CODE_PER_IP: '12/1h',
        RATE_LIMIT_CODE_PER_CALLING_CODE: '13/1h',
        PHONE_VERIFICATION: 'required',
        PHONE_VERIFIER: 'twilio',
        TWILIO_ACCOUNT_SID: 'AC0123',
        TWILIO_AUTH_TOKEN: 'twilio-token',
        TWILIO_VERIFY_SERVICE_SID: 'VA0123',
        TWILIO_VERIFY_BASE_URL: 'http://127.0.0.1:9/',
        PUSH_VAPID_PUBLIC_KEY: `B${'a'.repeat(86)}`,
        PUSH_VAPID_PRIVATE_KEY: 'k'.repeat(43),
        PUSH_VAPID_SUBJECT: 'mailto:ops@example.org',
        PUSH_APNS_KEY_FILE: '/run/secrets/apns.p8',
        PUSH_APNS_KEY_ID: 'ABC123DEFG',
        PUSH_APNS_TEAM_ID: 'TEAM123456',
        PUSH_APNS_BUNDLE_ID: 'org.example.calls',
        PUSH_APNS_SANDBOX_URL: 'https://127.0.0.1:8443',
        PUSH_APNS_PRODUCTION_URL: 'https://127.0.0.1:9443/',
        PUSH_FCM_SERVICE_ACCOUNT_FILE: '/run/secrets/fcm.json',
        PUSH_FCM_URL: 'http://127.0.0.1:9090',
        PUSH_CA_FILE: '/run/secrets/ca.pem',
        PUSH_QUEUE_SIZE: '500',
      }),
    ).toEqual({
      nodeEnv: 'production',
      port: 8080,
      host: '127.0.0.1',
      mongodbUri: 'mongodb://db:27017/mycalls',
      jwtSecret: secret,
      jwtTtlSec: 3600,
      sessionCacheMs: 0,
      argon2Threads: 4,
      rateLimits: false,
      callRingTimeoutSec: 30,
      eventLogRetentionDays: 7,
      stunUrls: ['stun:stun.example.org:3478'],
      turnUrls: ['turn:turn.example.org:3478'],
      turnSecret: 'turn-secret',
      turnTtlSec: 3600,
      logLevel: 'warn',
      shutdownTimeoutSec: 30,
      redisKeyPrefix: 'calls-eu:',
      redisHeartbeatSec: 5,
      redisInstanceTtlSec: 15,
      redisUrl: 'redis://cache:6379/0',
      trustProxy: 1,
      corsOrigins: ['https://app.example.org'],
      rateLimitRules: {
        loginPerPhone: { points: 1, durationSec: 1 },
        loginPerIp: { points: 2, durationSec: 120 },
        registerPerIp: { points: 3, durationSec: 10_800 },
        bundlePerPair: { points: 4, durationSec: 345_600 },
        bundlePerRequester: { points: 5, durationSec: 5 },
        bundlePerTarget: { points: 6, durationSec: 360 },
        sendPerUser: { points: 7, durationSec: 420 },
        lookupPerUser: { points: 800, durationSec: 28_800 },
        codePerPhone: { points: 11, durationSec: 3600 },
        codePerIp: { points: 12, durationSec: 3600 },
        codePerCallingCode: { points: 13, durationSec: 3600 },
        profileReadsPerUser: { points: 900, durationSec: 32_400 },
        publishPerUser: { points: 11, durationSec: 660 },
        callPerUser: { points: 12, durationSec: 720 },
        callPerPair: { points: 13, durationSec: 780 },
      },
      wsFrameBudget: { burst: 9, perSecond: 10 },
      bodyReadTimeoutSec: 14,
      maxLargeBodiesPerIp: 15,
      phoneVerification: 'required',
      phoneVerifier: 'twilio',
      twilio: {
        accountSid: 'AC0123',
        authToken: 'twilio-token',
        serviceSid: 'VA0123',
        baseUrl: 'http://127.0.0.1:9/',
      },
      push: {
        vapid: {
          publicKey: `B${'a'.repeat(86)}`,
          privateKey: 'k'.repeat(43),
          subject: 'mailto:ops@example.org',
        },
        apns: {
          keyFile: '/run/secrets/apns.p8',
          keyId: 'ABC123DEFG',
          teamId: 'TEAM123456',
          bundleId: 'org.example.calls',
          sandboxUrl: 'https://127.0.0.1:8443',
          productionUrl: 'https://127.0.0.1:9443',
        },
        fcm: { serviceAccountFile: '/run/secrets/fcm.json', url: 'http://127.0.0.1:9090' },
        caFile: '/run/secrets/ca.pem',
        allowPrivateEndpoints: false,
        queueSize: 500,
      },
    });
  });

  it('takes each push provider all or none, and no private endpoints in production', () => {
    expect(problemsOf({ PUSH_VAPID_PUBLIC_KEY: `B${'a'.repeat(86)}` })).toEqual([
      'PUSH_VAPID_PRIVATE_KEY is required when PUSH_VAPID_PUBLIC_KEY is set: set every one of PUSH_VAPID_PUBLIC_KEY, PUSH_VAPID_PRIVATE_KEY, PUSH_VAPID_SUBJECT, or none',
      'PUSH_VAPID_SUBJECT is required when PUSH_VAPID_PUBLIC_KEY is set: set every one of PUSH_VAPID_PUBLIC_KEY, PUSH_VAPID_PRIVATE_KEY, PUSH_VAPID_SUBJECT, or none',
    ]);
    expect(
      problemsOf({
        NODE_ENV: 'production',
        JWT_SECRET: secret,
        MONGODB_URI: 'mongodb://db/x',
        PHONE_VERIFICATION: 'off',
        PUSH_ALLOW_PRIVATE_ENDPOINTS: 'on',
      }),
    ).toEqual([
      'PUSH_ALLOW_PRIVATE_ENDPOINTS=on lets clients aim requests at the server network and is refused in production: unset it',
    ]);
    expect(problemsOf({ PUSH_APNS_KEY_ID: 'lower' })).toEqual([
      'PUSH_APNS_KEY_ID must be 10 letters or digits',
    ]);
  });

  it('refuses to run in production unless PHONE_VERIFICATION is set explicitly', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      MONGODB_URI: 'mongodb://db/x',
    };
    expect(problemsOf(production)).toEqual([
      'PHONE_VERIFICATION is required in production: set it to required (with PHONE_VERIFIER=twilio) so that numbers are proven, or to off to let anyone register any number',
    ]);
    expect(loadConfig({ ...production, PHONE_VERIFICATION: 'off' })).toMatchObject({
      phoneVerification: 'off',
      phoneVerifier: null,
    });
  });

  it('refuses the log verifier in production, and required verification without a verifier', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      MONGODB_URI: 'mongodb://db/x',
      PHONE_VERIFICATION: 'required',
    };
    expect(problemsOf({ ...production, PHONE_VERIFIER: 'log' })).toEqual([
      'PHONE_VERIFIER=log writes codes to the log and is refused in production: use twilio, or leave it unset with PHONE_VERIFICATION=off',
    ]);
    expect(problemsOf(production)).toEqual([
      'PHONE_VERIFICATION=required needs a verifier in production: set PHONE_VERIFIER=twilio and the TWILIO_* variables',
    ]);
  });

  it('names each missing Twilio setting when PHONE_VERIFIER=twilio', () => {
    expect(problemsOf({ PHONE_VERIFIER: 'twilio', TWILIO_ACCOUNT_SID: 'AC1' })).toEqual([
      'TWILIO_AUTH_TOKEN is required when PHONE_VERIFIER=twilio: copy it from the Twilio console',
      'TWILIO_VERIFY_SERVICE_SID is required when PHONE_VERIFIER=twilio: copy it from the Twilio console',
    ]);
    expect(problemsOf({ PHONE_VERIFICATION: 'maybe' })).toEqual([
      'PHONE_VERIFICATION must be off or required',
    ]);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: '', JWT_SECRET: '' }).port).toBe(3000);
  });

  it('names each bad variable in its message', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      JWT_TTL: '1.5',
      ARGON2_THREADS: '0',
      JWT_SECRET: 'short',
      RATE_LIMITS: 'maybe',
      MONGODB_URI: 'postgres://x',
      NODE_ENV: 'staging',
    });
    for (const name of [
      'PORT',
      'JWT_TTL',
      'ARGON2_THREADS',
      'JWT_SECRET',
      'RATE_LIMITS',
      'MONGODB_URI',
      'NODE_ENV',
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });

  it('refuses a port out of range', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual(['PORT must be at most 65535']);
  });

  it('refuses to run in production without JWT_SECRET and MONGODB_URI, saying what to set', () => {
    const jwt =
      'JWT_SECRET is required in production: set it to at least 32 random characters (e.g. `openssl rand -base64 48`), the same on every instance';
    const mongo =
      'MONGODB_URI is required in production: set it to a mongodb:// URI (the embedded in-memory store is for development only)';
    const production = { NODE_ENV: 'production', PHONE_VERIFICATION: 'off' };
    expect(problemsOf(production)).toEqual([jwt, mongo]);
    expect(problemsOf({ ...production, JWT_SECRET: secret })).toEqual([mongo]);
  });

  it('reports every problem of one run at once, bad values and missing ones alike', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        JWT_SECRET: 'short',
        PORT: 'eighty',
        TURN_URLS: 'turn:t.example.org',
        REDIS_HEARTBEAT: '20',
        REDIS_INSTANCE_TTL: '20',
        RATE_LIMIT_LOOKUP_PER_USER: '10/1d',
      }),
    ).toEqual([
      'PORT must be a whole number',
      'JWT_SECRET must be at least 32 characters',
      'MONGODB_URI is required in production: set it to a mongodb:// URI (the embedded in-memory store is for development only)',
      "TURN_SECRET is required when TURN_URLS is set: set it to the TURN server's static-auth-secret, or unset TURN_URLS",
      'REDIS_INSTANCE_TTL must be longer than REDIS_HEARTBEAT (got 20 and 20)',
      'PHONE_VERIFICATION is required in production: set it to required (with PHONE_VERIFIER=twilio) so that numbers are proven, or to off to let anyone register any number',
      'RATE_LIMIT_LOOKUP_PER_USER must allow at least 500 numbers (one full lookup request)',
    ]);
  });

  it('does not report a missing production variable that is already reported as bad', () => {
    expect(
      problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'short', PHONE_VERIFICATION: 'off' }),
    ).toEqual([
      'JWT_SECRET must be at least 32 characters',
      'MONGODB_URI is required in production: set it to a mongodb:// URI (the embedded in-memory store is for development only)',
    ]);
  });

  describe('ICE servers', () => {
    it('splits comma-separated URL lists, ignoring blanks and empty entries', () => {
      const config = loadConfig({
        STUN_URLS: ' stun:a.example.org:3478 , stuns:b.example.org:5349,,',
        TURN_URLS: 'turn:t.example.org:3478?transport=udp,turns:t.example.org:5349',
        TURN_SECRET: 'shh',
      });
      expect(config.stunUrls).toEqual(['stun:a.example.org:3478', 'stuns:b.example.org:5349']);
      expect(config.turnUrls).toEqual([
        'turn:t.example.org:3478?transport=udp',
        'turns:t.example.org:5349',
      ]);
      expect(config.turnSecret).toBe('shh');
      expect(config.turnTtlSec).toBe(86_400);
    });

    it('refuses URLs of the wrong scheme, naming the variable and the entry', () => {
      expect(problemsOf({ STUN_URLS: 'stun:ok.example.org,http://bad.example.org' })).toEqual([
        'STUN_URLS entries must start with stun: or stuns: (got "http://bad.example.org")',
      ]);
      expect(problemsOf({ TURN_URLS: 'stun:x.example.org', TURN_SECRET: 's' })).toEqual([
        'TURN_URLS entries must start with turn: or turns: (got "stun:x.example.org")',
      ]);
      expect(problemsOf({ STUN_URLS: 'stun:' })[0]).toMatch(/^STUN_URLS /);
    });

    it('requires TURN_SECRET when TURN_URLS is set', () => {
      expect(problemsOf({ TURN_URLS: 'turn:t.example.org' })).toEqual([
        "TURN_SECRET is required when TURN_URLS is set: set it to the TURN server's static-auth-secret, or unset TURN_URLS",
      ]);
      // A secret alone is harmless: no TURN entry is offered without URLs.
      expect(loadConfig({ TURN_SECRET: 'shh' }).turnUrls).toEqual([]);
    });

    it('takes TURN_TTL as whole seconds from 60 to 604800', () => {
      expect(loadConfig({ TURN_TTL: '600' }).turnTtlSec).toBe(600);
      expect(problemsOf({ TURN_TTL: '59' })).toEqual(['TURN_TTL must be at least 60']);
      expect(problemsOf({ TURN_TTL: '604801' })).toEqual(['TURN_TTL must be at most 604800']);
      expect(problemsOf({ TURN_TTL: '1.5' })[0]).toMatch(/^TURN_TTL /);
    });
  });

  describe('operations', () => {
    it("takes LOG_LEVEL from pino's levels, silent included", () => {
      expect(loadConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
      expect(loadConfig({ LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
      expect(problemsOf({ LOG_LEVEL: 'verbose' })).toEqual([
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
      ]);
    });

    it('takes SHUTDOWN_TIMEOUT as whole seconds from 1 to 600', () => {
      expect(loadConfig({ SHUTDOWN_TIMEOUT: '3' }).shutdownTimeoutSec).toBe(3);
      expect(problemsOf({ SHUTDOWN_TIMEOUT: '0' })).toEqual([
        'SHUTDOWN_TIMEOUT must be at least 1',
      ]);
      expect(problemsOf({ SHUTDOWN_TIMEOUT: '601' })).toEqual([
        'SHUTDOWN_TIMEOUT must be at most 600',
      ]);
      expect(problemsOf({ SHUTDOWN_TIMEOUT: '2.5' })[0]).toMatch(/^SHUTDOWN_TIMEOUT /);
    });
  });

  describe('security settings (SECURITY.md)', () => {
    it('takes each rate limit as <points>/<duration> in s, m, h or d', () => {
      const rules = loadConfig({
        RATE_LIMIT_SEND_PER_USER: ' 60 / 1m ',
        RATE_LIMIT_BUNDLE_PER_PAIR: '6/3600',
      }).rateLimitRules;
      expect(rules.sendPerUser).toEqual({ points: 60, durationSec: 60 });
      expect(rules.bundlePerPair).toEqual({ points: 6, durationSec: 3600 });
      expect(rules.loginPerPhone).toEqual(DEFAULT_RATE_LIMIT_RULES.loginPerPhone);
    });

    it('names the variable of a malformed or out-of-range limit', () => {
      expect(problemsOf({ RATE_LIMIT_LOGIN_PER_PHONE: 'ten' })).toEqual([
        'RATE_LIMIT_LOGIN_PER_PHONE must be <points>/<duration>, e.g. 10/15m (duration in s, m, h or d) (got "ten")',
      ]);
      expect(problemsOf({ RATE_LIMIT_SEND_PER_USER: '0/1m' })).toEqual([
        'RATE_LIMIT_SEND_PER_USER points must be 1 to 1000000 (got "0/1m")',
      ]);
      expect(problemsOf({ RATE_LIMIT_BUNDLE_PER_TARGET: '5/8d' })).toEqual([
        'RATE_LIMIT_BUNDLE_PER_TARGET duration must be 1s to 7d (got "5/8d")',
      ]);
      for (const bad of ['1.5/1m', '-1/1m', '10/1w', '10', '10/']) {
        expect(problemsOf({ RATE_LIMIT_REGISTER_PER_IP: bad })[0], bad).toMatch(
          /^RATE_LIMIT_REGISTER_PER_IP /,
        );
      }
    });

    it('refuses a lookup limit smaller than one full request of 500 numbers', () => {
      expect(problemsOf({ RATE_LIMIT_LOOKUP_PER_USER: '499/1d' })).toEqual([
        'RATE_LIMIT_LOOKUP_PER_USER must allow at least 500 numbers (one full lookup request)',
      ]);
      expect(
        loadConfig({ RATE_LIMIT_LOOKUP_PER_USER: '500/1d' }).rateLimitRules.lookupPerUser,
      ).toEqual({ points: 500, durationSec: 86_400 });
    });

    it('refuses a profile read budget smaller than one full presence pull of 200 ids', () => {
      expect(problemsOf({ RATE_LIMIT_PROFILE_READS_PER_USER: '199/1h' })).toEqual([
        'RATE_LIMIT_PROFILE_READS_PER_USER must allow at least 200 users (one full presence request)',
      ]);
      expect(
        loadConfig({ RATE_LIMIT_PROFILE_READS_PER_USER: '200/1h' }).rateLimitRules
          .profileReadsPerUser,
      ).toEqual({ points: 200, durationSec: 3600 });
    });

    it('takes the body read deadline in seconds, 1 to 300', () => {
      expect(loadConfig({}).bodyReadTimeoutSec).toBe(30);
      expect(problemsOf({ BODY_READ_TIMEOUT: '0' })).toEqual([
        'BODY_READ_TIMEOUT must be at least 1',
      ]);
      expect(problemsOf({ BODY_READ_TIMEOUT: '301' })).toEqual([
        'BODY_READ_TIMEOUT must be at most 300',
      ]);
      expect(problemsOf({ MAX_LARGE_BODIES_PER_IP: 'many' })[0]).toMatch(
        /^MAX_LARGE_BODIES_PER_IP /,
      );
    });

    it('takes the socket frame budget as whole numbers', () => {
      expect(problemsOf({ RATE_LIMIT_WS_FRAME_BURST: '0' })).toEqual([
        'RATE_LIMIT_WS_FRAME_BURST must be at least 1',
      ]);
      expect(problemsOf({ RATE_LIMIT_WS_FRAMES_PER_SEC: '2.5' })[0]).toMatch(
        /^RATE_LIMIT_WS_FRAMES_PER_SEC must be a whole number/,
      );
    });

    it('takes TRUST_PROXY as a number of proxies, 0 to 10', () => {
      expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
      expect(problemsOf({ TRUST_PROXY: 'true' })[0]).toMatch(/^TRUST_PROXY must be a whole number/);
      expect(problemsOf({ TRUST_PROXY: '11' })).toEqual(['TRUST_PROXY must be at most 10']);
    });

    it('takes CORS_ORIGINS as a comma-separated list of bare origins', () => {
      expect(
        loadConfig({ CORS_ORIGINS: ' https://a.example.org , http://localhost:5173,,' })
          .corsOrigins,
      ).toEqual(['https://a.example.org', 'http://localhost:5173']);
      expect(
        problemsOf({ CORS_ORIGINS: 'https://ok.example.org,https://x.example.org/,*,ftp://f' }),
      ).toEqual([
        'CORS_ORIGINS entries must be origins such as https://app.example.org, without path or trailing slash (got "https://x.example.org/", "*", "ftp://f")',
      ]);
    });

    it('takes REDIS_URL with the redis: or rediss: scheme', () => {
      expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache:6380' }).redisUrl).toBe(
        'rediss://:pw@cache:6380',
      );
      expect(problemsOf({ REDIS_URL: 'http://cache' })).toEqual([
        'REDIS_URL must start with redis:// or rediss://',
      ]);
    });

    it('keeps the backplane heartbeat shorter than the instance TTL, and the TTL under 60 s', () => {
      expect(problemsOf({ REDIS_HEARTBEAT: '10', REDIS_INSTANCE_TTL: '10' })).toEqual([
        'REDIS_INSTANCE_TTL must be longer than REDIS_HEARTBEAT (got 10 and 10)',
      ]);
      expect(problemsOf({ REDIS_INSTANCE_TTL: '60' })).toEqual([
        'REDIS_INSTANCE_TTL must be at most 55',
      ]);
      expect(problemsOf({ REDIS_KEY_PREFIX: 'has space' })).toEqual([
        'REDIS_KEY_PREFIX must be 1–64 letters, digits or _ : . - characters',
      ]);
    });
  });
});
