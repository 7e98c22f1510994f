import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel, STDOUT_FLUSH_MS, wantsPrettyLogs } from './logger.js';
import { REDACTED, redactSecrets, redactText } from './redact.js';

const JWT =
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI2NjAwMDAwMDAwMDAwMDAwMDAwMDAwMDEiLCJpYXQiOjE3MDAwMDAwMDB9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

/** A logger writing into memory, and the lines it wrote, parsed. */
function capture(level: LogLevel = 'info') {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level, destination });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, text, lines };
}

describe('createLogger', () => {
  it('writes an access line per answered request, at error level for a 5xx, with the same labels', () => {
    const { logger, lines } = capture();
    const line = {
      requestId: 'r-1',
      method: 'GET',
      route: '/api/users/:userId/profile',
      durationMs: 1.2,
    };
    logger.request({ ...line, status: 200 });
    logger.request({ ...line, status: 503 });
    expect(lines()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'request', ...line, status: 200 }),
      expect.objectContaining({ level: 'error', msg: 'request', ...line, status: 503 }),
    ]);
  });

  it('writes access lines byte for byte as pino writes the same fields', () => {
    const { logger, text } = capture();
    const cases = [
      {
        requestId: 'r-1',
        method: 'GET',
        route: '/api/users/:userId/profile',
        status: 200,
        durationMs: 1.2,
      },
      {
        requestId: 'x'.repeat(60),
        method: 'OTHER',
        route: '(unmatched)',
        status: 404,
        durationMs: 0,
      },
      {
        requestId: 'a=b',
        method: 'POST',
        route: '/é/"q"\\/\u0001',
        status: 503,
        durationMs: Number.NaN,
      },
    ];
    for (const fields of cases) {
      logger.request(fields);
      // The generic path: pino's own serialization of the same object and message.
      if (fields.status >= 500) logger.error('request', undefined, fields);
      else logger.info('request', fields);
    }
    const written = text()
      .replace(/"time":"[^"]*"/g, '"time":"T"')
      .split('\n')
      .filter((line) => line !== '');
    expect(written).toHaveLength(cases.length * 2);
    for (let i = 0; i < written.length; i += 2) expect(written[i]).toBe(written[i + 1]);
  });

  it('stays silent for access lines below its level', () => {
    const { logger, text } = capture('warn');
    logger.request({
      requestId: 'r',
      method: 'GET',
      route: '/healthz',
      status: 200,
      durationMs: 0,
    });
    expect(text()).toBe('');
  });

  it('writes one JSON line per event with level label, ISO time and fields', () => {
    const { logger, lines } = capture();
    logger.info('request', { requestId: 'r-1', route: '/api/users/:userId/profile', status: 200 });
    logger.warn('MONGODB_URI is not set: using the embedded in-memory store.');
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'request',
        requestId: 'r-1',
        route: '/api/users/:userId/profile',
        status: 200,
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
      expect.objectContaining({
        level: 'warn',
        msg: 'MONGODB_URI is not set: using the embedded in-memory store.',
      }),
    ]);
  });

  it('logs errors with type, message and stack under `err`', () => {
    const { logger, lines } = capture();
    logger.error('[r-2] GET /api/chat/conversations failed', new TypeError('boom'));
    const [line] = lines();
    expect(line).toMatchObject({
      level: 'error',
      msg: '[r-2] GET /api/chat/conversations failed',
      err: {
        type: 'TypeError',
        message: 'boom',
        stack: expect.stringContaining('TypeError: boom'),
      },
    });
  });

  it('honours the level, and `silent` writes nothing', () => {
    const warnOnly = capture('warn');
    warnOnly.logger.info('hidden');
    warnOnly.logger.warn('shown');
    expect(warnOnly.lines().map((line) => line.msg)).toEqual(['shown']);

    const silent = capture('silent');
    silent.logger.error('hidden', new Error('hidden'));
    silent.logger.warn('hidden');
    expect(silent.text()).toBe('');
  });

  it('never writes a secret or a token', () => {
    const { logger, text, lines } = capture();
    logger.info('incoming', {
      headers: {
        authorization: `Bearer ${JWT}`,
        'x-auth-token': 'opaque-auth-token-value',
        cookie: 'session=cookie-secret',
        'content-type': 'application/json',
      },
      body: { phoneNumber: '+15550100001', password: 'correct horse battery' },
      url: `/ws?token=${JWT}&v=1`,
      jwtSecret: 'the-jwt-secret-of-at-least-32-characters',
    });
    logger.warn(`upgrade from ws://host/?token=${JWT} refused`);
    logger.info(`token in passing: ${JWT}`);
    logger.error(
      'failed',
      new Error(`could not verify Bearer ${JWT}`, { cause: { token: 'cause-token' } }),
    );
    logger.error('body', undefined, { raw: '{"phoneNumber":"+1","password":"hunter2-secret"}' });

    const written = text();
    for (const secret of [
      JWT,
      'opaque-auth-token-value',
      'cookie-secret',
      'correct horse battery',
      'the-jwt-secret-of-at-least-32-characters',
      'cause-token',
      'hunter2-secret',
    ]) {
      expect(written).not.toContain(secret);
    }
    const [incoming, upgrade] = lines();
    expect(incoming).toMatchObject({
      headers: {
        authorization: REDACTED,
        'x-auth-token': REDACTED,
        cookie: REDACTED,
        'content-type': 'application/json',
      },
      body: { phoneNumber: '+15550100001', password: REDACTED },
      url: `/ws?token=${REDACTED}&v=1`,
    });
    expect(upgrade?.msg).toBe(`upgrade from ws://host/?token=${REDACTED} refused`);
  });
});

/**
 * Runs `body` (JavaScript with `createLogger` and `access(id)` in scope) in a
 * child process logging to its real stdout; resolves with the lines it wrote,
 * parsed, once `done(lines)` says so or the child exits.
 */
function stdoutOf(
  body: string,
  done: (lines: Record<string, unknown>[]) => boolean = () => false,
): Promise<{ lines: Record<string, unknown>[]; at: number[] }> {
  const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));
  const script = `
    const { createLogger } = await import(${JSON.stringify(logger)});
    const access = (requestId) => ({ requestId, method: 'GET', route: '/healthz', status: 200, durationMs: 1 });
    ${body}`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const started = performance.now();
  const lines: Record<string, unknown>[] = [];
  const at: number[] = [];
  let pending = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end within 25 s; lines: ${JSON.stringify(lines)}`));
    }, 25_000);
    const finish = () => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ lines, at });
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
        at.push(performance.now() - started);
      }
      if (done(lines)) finish();
    });
    child.once('exit', finish);
  });
}

// Each test starts a Node process with tsx: seconds on a busy machine.
describe('createLogger on stdout (buffered)', { timeout: 30_000 }, () => {
  it('writes every line in order: an info line takes the access lines before it along', async () => {
    const { lines } = await stdoutOf(
      `
      const logger = createLogger();
      logger.request(access('a'));
      logger.request(access('b'));
      logger.info('after');
      logger.request(access('c'));
      logger.warn('last');
      setInterval(() => {}, 1000);`,
      (seen) => seen.length >= 5,
    );
    expect(lines.map((line) => line.requestId ?? line.msg)).toEqual([
      'a',
      'b',
      'after',
      'c',
      'last',
    ]);
  });

  it('writes a lone access line out within its flush interval, without waiting for more', async () => {
    const { lines, at } = await stdoutOf(
      `
      const logger = createLogger();
      logger.info('ready');
      setTimeout(() => logger.request(access('alone')), 500);
      setInterval(() => {}, 1000);`,
      (seen) => seen.some((line) => line.requestId === 'alone'),
    );
    expect(lines.map((line) => line.requestId ?? line.msg)).toEqual(['ready', 'alone']);
    // Logged 500 ms after start; out well within the interval's reach (with slack for a loaded machine).
    expect((at[1] ?? Infinity) - (at[0] ?? 0)).toBeLessThan(500 + STDOUT_FLUSH_MS + 1500);
  });

  it('loses no buffered line on process.exit', async () => {
    const { lines } = await stdoutOf(`
      const logger = createLogger();
      for (let i = 0; i < 3; i++) logger.request(access('r' + i));
      process.exit(0);`);
    expect(lines.map((line) => line.requestId)).toEqual(['r0', 'r1', 'r2']);
  });
});

describe('redactSecrets', () => {
  it('keeps what is not secret, survives cycles and leaves the input untouched', () => {
    const input: Record<string, unknown> = { route: '/api/auth/login', status: 401, password: 'x' };
    input.self = input;
    expect(redactSecrets(input)).toEqual({
      route: '/api/auth/login',
      status: 401,
      password: REDACTED,
      self: '[Circular]',
    });
    expect(input.password).toBe('x');
  });

  it('scrubs JWTs, bearer credentials and token parameters out of text', () => {
    expect(redactText(`a ${JWT} b`)).toBe(`a ${REDACTED} b`);
    expect(redactText('Authorization: Bearer abc.def')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('/?token=abc&x=1')).toBe(`/?token=${REDACTED}&x=1`);
    expect(redactText('/api/users/660000000000000000000001/profile')).toBe(
      '/api/users/660000000000000000000001/profile',
    );
  });
});

describe('wantsPrettyLogs', () => {
  it('is on only in development on a terminal', () => {
    expect(wantsPrettyLogs('development', true)).toBe(true);
    expect(wantsPrettyLogs('development', false)).toBe(false);
    expect(wantsPrettyLogs('development', undefined)).toBe(false);
    expect(wantsPrettyLogs('production', true)).toBe(false);
    expect(wantsPrettyLogs('test', true)).toBe(false);
  });
});
