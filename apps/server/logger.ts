/**
 * @module The server's log sink: pino JSON lines on stdout, one per event,
 * never a secret (every argument goes through `redactSecrets` first). Pretty,
 * coloured lines only in development on a terminal, through pino-pretty (a
 * dev dependency: without it the lines stay JSON).
 */
import { createRequire } from 'node:module';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { isoTime } from '../../adapters/wire/iso-time.js';
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
   * came before it. Both are written out synchronously on `exit`, so
   * `process.exit` loses nothing; a SIGKILL loses what was not yet written.
   */
  readonly destination?: DestinationStream;
}

/** How the lines of `LoggerOptions.destination` (or stdout) reach it. */
interface Sink {
  readonly destination: DestinationStream;
  /** Takes one access line; on stdout it waits in a batch (`STDOUT_BUFFER_BYTES`). */
  readonly access: (line: string) => void;
  /** Hands the waiting access lines to the destination: before any other line, so order holds. */
  readonly flush: () => void;
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
  const { settings, sink } = pinoSetup(options);
  return wrapPino(pino(settings, sink.destination), sink);
}

/**
 * The logger tests and tools used before pino: `silent` logs nothing, else
 * JSON lines on stdout at `info`.
 */
export function createConsoleLogger(options: { silent?: boolean } = {}): Logger {
  return createLogger({ level: options.silent ? 'silent' : 'info' });
}

function pinoSetup(options: LoggerOptions): { settings: pino.LoggerOptions; sink: Sink } {
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
    const destination = options.destination;
    return {
      settings,
      sink: { destination, access: (line) => destination.write(line), flush: noop },
    };
  }
  const pretty = options.pretty === true ? prettyTarget() : null;
  if (pretty !== null) {
    const destination = pino.transport({
      target: pretty,
      options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
    });
    return {
      settings,
      sink: { destination, access: (line) => destination.write(line), flush: noop },
    };
  }
  stdout ??= batchedStdout();
  return { settings, sink: stdout };
}

/** One batch and destination for every logger on stdout: lines keep their order across them. */
let stdout: Sink | undefined;

/**
 * Stdout through pino's asynchronous destination, with the access lines
 * batched in front of it: they are joined and handed over in chunks of
 * `STDOUT_BUFFER_BYTES`, and at the latest `STDOUT_FLUSH_MS` after they were
 * logged. Batching here rather than with the destination's `minLength`:
 * sonic-boom measures its whole growing buffer on every write (2–4 µs a line,
 * a few percent of a busy server's request), one joined chunk only once.
 * Every other line goes out at once, after the access lines before it.
 * On `exit` the batch and the destination are written out synchronously, so
 * `process.exit` loses nothing; a SIGKILL loses what was not yet written.
 */
function batchedStdout(): Sink {
  const destination = pino.destination({ dest: 1, sync: false });
  let batch: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (batch.length === 0) return;
    const text = batch.join('');
    batch = [];
    bytes = 0;
    destination.write(text);
  };
  setInterval(flush, STDOUT_FLUSH_MS).unref();
  process.on('exit', () => {
    flush();
    destination.flushSync();
  });
  return {
    destination,
    access(line) {
      batch.push(line);
      // Lines are ASCII but for a route or id a client could not choose: length is near bytes.
      bytes += line.length;
      if (bytes >= STDOUT_BUFFER_BYTES) flush();
    },
    flush,
  };
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
 * `log` scrubs every argument. Every line but an access line is written out
 * at once (start-up, warnings and errors are rare, and someone may be
 * waiting for them), after the access lines that came before it.
 */
function wrapPino(log: PinoLogger, sink: Sink): Logger {
  const at =
    (level: 'info' | 'warn') =>
    (message: string, fields?: LogFields): void => {
      sink.flush();
      if (fields === undefined) log[level](message);
      else log[level](fields, message);
    };
  const base = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  const infoOn = log.isLevelEnabled('info');
  const errorOn = log.isLevelEnabled('error');
  return {
    info: at('info'),
    request(fields) {
      const level = fields.status >= 500 ? 'error' : 'info';
      if (!(level === 'info' ? infoOn : errorOn)) return;
      sink.access(accessLine(level, isoTime(Date.now()), base, fields));
    },
    warn: at('warn'),
    error(message, error, fields) {
      sink.flush();
      if (error === undefined && fields === undefined) log.error(message);
      else log.error({ ...fields, ...(error === undefined ? {} : { err: error }) }, message);
    },
  };
}

/**
 * One access line, byte for byte what pino writes for
 * `log[level](fields, 'request')` with this module's settings (the tests
 * compare the two), built from the fields directly: pino's generic path
 * (the object, its key walk, a stringifier per value) was half of what an
 * access line cost.
 */
function accessLine(
  level: 'info' | 'error',
  isoTime: string,
  base: string,
  fields: RequestLogFields,
): string {
  return `{"level":"${level}","time":"${isoTime}"${base},"requestId":${JSON.stringify(fields.requestId)},"method":${JSON.stringify(fields.method)},"route":${JSON.stringify(fields.route)},"status":${JSON.stringify(fields.status)},"durationMs":${JSON.stringify(fields.durationMs)},"msg":"request"}\n`;
}
