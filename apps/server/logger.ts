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
   * Where lines go; default stdout through pino's asynchronous destination,
   * buffered (see `STDOUT_BUFFER_BYTES`): access lines are written in chunks
   * of a few kilobytes, at the latest `STDOUT_FLUSH_MS` after they were
   * logged; every other line is written at once, with whatever access lines
   * came before it. pino flushes the buffer synchronously on `exit`, so
   * `process.exit` loses nothing; a SIGKILL loses what was not yet written.
   */
  readonly destination?: DestinationStream;
}

/** Pretty lines only for a developer watching a terminal: NODE_ENV=development and a TTY. */
export function wantsPrettyLogs(nodeEnv: string, stdoutIsTty: boolean | undefined): boolean {
  return nodeEnv === 'development' && stdoutIsTty === true;
}

/**
 * Bytes of lines held before a write to stdout: one `write` (a trip through
 * the libuv thread pool) per access line cost a busy server a tenth of its
 * CPU (issue 19's profile at LOG_LEVEL=info); batched, it is one per ~20
 * lines.
 */
export const STDOUT_BUFFER_BYTES = 4096;
/** The longest an access line waits in that buffer on a quiet server. */
export const STDOUT_FLUSH_MS = 100;

/** A pino-backed `Logger`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { settings, destination, flush } = pinoSetup(options);
  const { hooks: _scrubbing, ...plainSettings } = settings;
  return wrapPino(pino(settings, destination), pino(plainSettings, destination), flush);
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
  /** Writes out the lines waiting in the destination's buffer, when it has one. */
  flush: () => void;
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
  if (options.destination !== undefined) {
    return { settings, destination: options.destination, flush: noop };
  }
  const pretty = options.pretty === true ? prettyTarget() : null;
  if (pretty !== null) {
    const destination = pino.transport({
      target: pretty,
      options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
    });
    return { settings, destination, flush: noop };
  }
  const destination = pino.destination({
    dest: 1,
    sync: false,
    minLength: STDOUT_BUFFER_BYTES,
    periodicFlush: STDOUT_FLUSH_MS,
  });
  // Without a callback: pino's `logger.flush()` would add listeners and an fsync per call.
  return { settings, destination, flush: () => destination.flush() };
}

/** pino-pretty's path, or null when it is not installed (`npm ci --omit=dev`). */
function prettyTarget(): string | null {
  try {
    return createRequire(import.meta.url).resolve('pino-pretty');
  } catch {
    return null;
  }
}

const noop = () => {};

/**
 * `log` scrubs every argument; `plain` (same destination) writes the access
 * lines as they are. Every line but an access line is flushed out at once
 * (start-up, warnings and errors are rare, and someone may be waiting for
 * them), with the access lines that came before it.
 */
function wrapPino(log: PinoLogger, plain: PinoLogger, flush: () => void): Logger {
  const at =
    (level: 'info' | 'warn') =>
    (message: string, fields?: LogFields): void => {
      if (fields === undefined) log[level](message);
      else log[level](fields, message);
      flush();
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
      flush();
    },
  };
}
