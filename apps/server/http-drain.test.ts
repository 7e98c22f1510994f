import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { trackHttpServer } from './http-drain.js';

const servers: Server[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

interface Held {
  /** Answers the request that arrived `index`-th (0-based). */
  release(index: number, body?: string): void;
  /** Resolves once `count` requests have arrived. */
  arrived(count: number): Promise<void>;
}

/** A server whose requests wait until the test releases them. */
async function startHeldServer(): Promise<{ server: Server; port: number; held: Held }> {
  const pending: ((body: string) => void)[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((_request, response) => {
    pending.push((body) => response.end(body));
    for (const waiter of waiters) if (pending.length >= waiter.count) waiter.resolve();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    held: {
      release: (index, body = 'done') => pending[index]?.(body),
      arrived: (count) =>
        pending.length >= count
          ? Promise.resolve()
          : new Promise((resolve) => waiters.push({ count, resolve })),
    },
  };
}

interface Answer {
  readonly status: number;
  readonly connection: string | undefined;
  readonly body: string;
}

/** A GET over a fresh keep-alive connection (its own agent-less socket). */
function get(port: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/', headers: { connection: 'keep-alive' }, agent: false },
      (response: IncomingMessage) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            connection: response.headers.connection,
            body,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the error code of a TCP connect to `port` (`CONNECTED` if it got through). */
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

describe('trackHttpServer', () => {
  it('refuses new connections at once, lets in-flight requests finish and closes their connections', async () => {
    const { server, port, held } = await startHeldServer();
    const drain = trackHttpServer(server);
    const answers = [get(port), get(port), get(port)];
    await held.arrived(3);
    expect(drain.inFlight).toBe(3);

    const drained = drain.drain(5_000);
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    for (const index of [0, 1, 2]) held.release(index, `answer ${index}`);

    expect(await Promise.all(answers)).toEqual([
      { status: 200, connection: 'close', body: 'answer 0' },
      { status: 200, connection: 'close', body: 'answer 1' },
      { status: 200, connection: 'close', body: 'answer 2' },
    ]);
    expect(await drained).toEqual({ cutRequests: 0 });
    expect(drain.inFlight).toBe(0);
  });

  it('closes idle keep-alive connections at once', async () => {
    const { server, port, held } = await startHeldServer();
    const drain = trackHttpServer(server);
    const answer = get(port);
    await held.arrived(1);
    held.release(0);
    expect((await answer).connection).toBe('keep-alive');

    // The connection is idle and kept alive: the drain must not wait for its keep-alive timeout.
    const started = performance.now();
    expect(await drain.drain(5_000)).toEqual({ cutRequests: 0 });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('cuts the requests still running when the timeout expires', async () => {
    const { server, port, held } = await startHeldServer();
    const drain = trackHttpServer(server);
    const stuck = get(port).then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await held.arrived(1);

    expect(await drain.drain(50)).toEqual({ cutRequests: 1 });
    expect(await stuck).toBe('ECONNRESET');
  });

  it('is idempotent', async () => {
    const { server } = await startHeldServer();
    const drain = trackHttpServer(server);
    const first = drain.drain(1_000);
    expect(drain.drain(1_000)).toBe(first);
    await first;
  });
});
