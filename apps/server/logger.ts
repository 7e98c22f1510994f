/**
 * @module The server's log sink: pino JSON lines on stdout, one per event,
 * never a secret (every argument goes through `redactSecrets` first). Pretty,
 * coloured lines only in development on a terminal, through pino-pretty (a
 * dev dependency: without it the lines stay JSON).
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { redactSecrets } from './redact.js';

/** The levels `LOG_LEVEL` takes, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured fields of a line (`requestId`, `route`, …). */
export type LogFields = Readonly<Record<string, unknown>>;

/** The fields of one access-log line (`"msg":"request"`): made by the server, never a secret. */
export interface RequestLogFields {
  readonly requestId: string;
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly durationMs: number;
}

export interface Logger {
  info(message: string, fields?: LogFields): void;
  /**
   * The access-log line of one answered request: `info`, or `error` for a
   * 5xx. It skips the secret scrubbing every other line gets: its fields are
   * the server's own (a sanitized request id, a route pattern, a known
   * method, numbers), and it is the one line written per request.
   */
  request(fields: RequestLogFields): void;
  warn(message: string, fields?: LogFields): void;
  /** `error` is logged as `err` (type, message, stack), secrets scrubbed. */
  error(message: string, error?: unknown, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Default `info`. */
  readonly level?: LogLevel;
  /** pino-pretty output (see `wantsPrettyLogs`); ignored when `destination` is given. */
  readonly pretty?: boolean;
  /**
   * Where lines go; default stdout through pino's asynchronous destination
   * (lines are batched while a write is in flight, so a busy server does not
   * make one write per line; pino flushes it synchronously on `exit`, so
   * `process.exit` loses nothing; a SIGKILL loses what was not yet written).
   */
  readonly destination?: DestinationStream;
}

/** Pretty lines only for a developer watching a terminal: NODE_ENV=development and a TTY. */
export function wantsPrettyLogs(nodeEnv: string, stdoutIsTty: boolean | undefined): boolean {
  return nodeEnv === 'development' && stdoutIsTty === true;
}

/** A pino-backed `Logger`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { settings, destination } = pinoSetup(options);
  const { hooks: _scrubbing, ...plainSettings } = settings;
  return wrapPino(pino(settings, destination), pino(plainSettings, destination));
}

/**
 * The logger tests and tools used before pino: `silent` logs nothing, else
 * JSON lines on stdout at `info`.
 */
export function createConsoleLogger(options: { silent?: boolean } = {}): Logger {
  return createLogger({ level: options.silent ? 'silent' : 'info' });
}

function pinoSetup(options: LoggerOptions): {
  settings: pino.LoggerOptions;
  destination: DestinationStream;
} {
  const settings: pino.LoggerOptions = {
    level: options.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    // `"level":"warn"` rather than 40: readable without a lookup table.
    formatters: { level: (label) => ({ level: label }) },
    // Errors arrive already turned into { type, message, stack, code?, cause? } by redactSecrets.
    serializers: { err: (err: unknown) => err },
    hooks: {
      // Every argument (message, fields, errors) is scrubbed before pino sees it.
      logMethod(args, method) {
        const clean = args.map((arg) => redactSecrets(arg)) as Parameters<typeof method>;
        method.apply(this, clean);
      },
    },
  };
  if (options.destination !== undefined) return { settings, destination: options.destination };
  const pretty = options.pretty === true ? prettyTarget() : null;
  if (pretty !== null) {
    const destination = pino.transport({
      target: pretty,
      options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
    });
    return { settings, destination };
  }
  return { settings, destination: pino.destination({ dest: 1, sync: false }) };
}

/** pino-pretty's path, or null when it is not installed (`npm ci --omit=dev`). */
function prettyTarget(): string | null {
  try {
    return createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return null;
  }
}

/** `log` scrubs every argument; `plain` (same destination) writes the access lines as they are. */
function wrapPino(log: PinoLogger, plain: PinoLogger): Logger {
  const at =
    (level: 'info' | 'warn') =>
    (message: string, fields?: LogFields): void => {
      if (fields === undefined) log[level](message);
      else log[level](fields, message);
    };
  return {
    info: at('info'),
    request(fields) {
      if (fields.status >= 500) plain.error(fields, 'request');
      else plain.info(fields, 'request');
    },
    warn: at('warn'),
    error(message, error, fields) {
      if (error === undefined && fields === undefined) log.error(message);
      else log.error({ ...fields, ...(error === undefined ? {} : { err: error }) }, message);
    },
  };
}
