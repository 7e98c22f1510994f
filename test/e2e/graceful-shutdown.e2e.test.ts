/**
 * Graceful shutdown of a real server process (API.md §9): SIGTERM while a
 * batch of registrations (argon2, at most two hashes at once: slow on
 * purpose) is in flight. New connections are refused at once, the open
 * WebSocket is closed with 1001, every registration still gets its 201, and
 * the process exits 0. SIGINT does the same, here with MongoDB to close.
 */
import { connect } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES } from '../../adapters/metrics/prometheus-metrics.js';
import { useTestDatabase } from '../support/mongo.js';
import { useServerProcesses } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import { connectWs, registerUser } from '../support/ws-client.js';

const servers = useServerProcesses();
const database = useTestDatabase();

// Enough argon2 hashes (two at a time, a few ms each) that the batch is still
// being worked through when the last request has arrived: with 24 a fast
// machine could answer them all before the test saw them all in, and the test
// then had nothing in flight to prove.
const REGISTRATIONS = 64;

/** The error code of a fresh TCP connection to `port`, or `CONNECTED`. */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('CONNECTED');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'ERROR'));
  });
}

/** One series of a scrape (0 when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('graceful shutdown', () => {
  it('finishes in-flight requests, closes sockets with 1001, refuses new connections and exits 0', async () => {
    const server = await servers.start({ name: 'shutdown instance' });
    const watcher = await registerUser(server.url, 'Watcher');
    const socket = await connectWs(server.url, watcher.token);

    const phone = (i: number) =>
      `+1303${String(process.pid % 1000).padStart(3, '0')}${String(i).padStart(4, '0')}`;
    const registrations = Array.from({ length: REGISTRATIONS }, (_, i) =>
      callJson(server.url, 'POST', '/api/auth/register', {
        body: { phoneNumber: phone(i), displayName: `Batch ${i}`, password: 'slow argon2 hash' },
      }).then(
        (answer) => answer.status,
        (error: unknown) => `failed: ${String(error)}`,
      ),
    );

    // SIGTERM once the server holds every registration: answered or still running.
    const register = `${METRIC_NAMES.httpRequestDuration}_count{method="POST",route="/api/auth/register",status="201"}`;
    let inFlightAtSigterm = 0;
    await vi.waitFor(
      async () => {
        const text = await (await fetch(new URL('/metrics', server.url))).text();
        // Less the scrape itself, and the watcher's registration.
        const inFlight = sample(text, METRIC_NAMES.httpRequestsInFlight) - 1;
        const answered = sample(text, register) - 1;
        expect(inFlight + answered).toBe(REGISTRATIONS);
        inFlightAtSigterm = inFlight;
      },
      { timeout: 10_000, interval: 2 },
    );
    const signalled = performance.now();
    server.kill('SIGTERM');

    await vi.waitFor(() => expect(server.output()).toMatch(/SIGTERM received: shutting down/), {
      timeout: 5_000,
      interval: 2,
    });
    // Never served: refused, or reset if it reached the backlog as the listener closed.
    expect(['ECONNREFUSED', 'ECONNRESET']).toContain(await tryConnect(server.port));

    const closed = await socket.waitForClose(5_000);
    expect(closed.code).toBe(1001);

    const statuses = await Promise.all(registrations);
    expect(statuses).toEqual(statuses.map(() => 201));
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const shutdownMs = Math.round(performance.now() - signalled);
    expect(await tryConnect(server.port)).toBe('ECONNREFUSED');

    expect(inFlightAtSigterm).toBeGreaterThan(0);
    console.log(
      `[graceful shutdown] ${inFlightAtSigterm} of ${REGISTRATIONS} registrations in flight at SIGTERM; all answered 201; exit 0 after ${shutdownMs} ms`,
    );
    expect(server.output()).toMatch(/Shut down in \d+ ms/);
    expect(server.output()).not.toMatch(/cut off|unhandled|uncaught/i);
  });

  it('does the same on SIGINT, closing its MongoDB connection', async () => {
    const server = await servers.start({
      name: 'mongo instance',
      env: { MONGODB_URI: database.uri },
    });
    const user = await registerUser(server.url, 'Mongo user');
    const socket = await connectWs(server.url, user.token);

    server.kill('SIGINT');
    expect((await socket.waitForClose(5_000)).code).toBe(1001);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toMatch(/SIGINT received: shutting down/);
    expect(await tryConnect(server.port)).toBe('ECONNREFUSED');
  });
});
