import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TEST_JWT_SECRET } from '../../test/support/start-test-server.js';
import { connectWs, registerUser } from '../../test/support/ws-client.js';
import { compose, get, Shutdown, TOKENS } from './compose.js';
import { loadConfig } from './config.js';
import { createConsoleLogger } from './logger.js';

/** A resource whose closing takes a turn of the event loop and is written down. */
function resource(name: string, order: string[], fails = false) {
  return {
    async close() {
      order.push(`${name} starts`);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(`${name} ends`);
      if (fails) throw new Error(`${name} failed to close`);
    },
  };
}

describe('Shutdown', () => {
  it('closes in CLOSING_ORDER whatever order it was handed things in, a group at once', async () => {
    const order: string[] = [];
    const shutdown = new Shutdown();
    for (const [key, name] of [
      [TOKENS.passwords, 'passwords'],
      [TOKENS.database, 'database'],
      [TOKENS.cluster, 'cluster'],
      [TOKENS.hub, 'hub'],
      [TOKENS.scheduler, 'scheduler'],
      [TOKENS.pushes, 'pushes'],
      [TOKENS.http, 'http'],
    ] as const) {
      shutdown.own(key, resource(name, order));
    }
    await shutdown.dispose();
    expect(order).toEqual([
      'http starts',
      'hub starts',
      'http ends',
      'hub ends',
      'pushes starts',
      'scheduler starts',
      'pushes ends',
      'scheduler ends',
      // The scheduler's last task claims its key in Redis before the connection closes.
      'cluster starts',
      'cluster ends',
      'database starts',
      'database ends',
      'passwords starts',
      'passwords ends',
    ]);
  });

  it('closes each thing once, however often it is disposed', async () => {
    const order: string[] = [];
    const shutdown = new Shutdown();
    shutdown.own(TOKENS.database, resource('database', order));
    await Promise.all([shutdown.dispose(), shutdown.dispose()]);
    await shutdown.dispose();
    expect(order).toEqual(['database starts', 'database ends']);
  });

  it('stops at a closer that fails and rejects with its error', async () => {
    const order: string[] = [];
    const shutdown = new Shutdown();
    shutdown.own(TOKENS.pushes, resource('pushes', order, true));
    shutdown.own(TOKENS.database, resource('database', order));
    await expect(shutdown.dispose()).rejects.toThrow('pushes failed to close');
    expect(order).toEqual(['pushes starts', 'pushes ends']);
  });
});

describe('compose', () => {
  it('closes the whole graph through container.dispose(): the listener at once, then sockets and the hasher', async () => {
    const config = {
      ...loadConfig({ NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, RATE_LIMITS: 'off' }),
      port: 0,
      host: '127.0.0.1',
    };
    const composition = await compose(config, { logger: createConsoleLogger({ silent: true }) });
    const { container, server, hub } = composition;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hub.attach(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const user = await registerUser(url, 'Closing');
    const socket = await connectWs(url, user.token);

    const passwords = get(container, TOKENS.passwords);
    const closed = composition.close();
    // The listener closed before close() returned: main.ts logs "shutting down" after it.
    expect(server.listening).toBe(false);
    await closed;
    expect((await socket.waitForClose()).code).toBe(1001);
    await expect(passwords.hash('x')).rejects.toThrow('The password hasher is closed.');
    // The container is disposed: it resolves nothing more.
    expect(() => get(container, TOKENS.deps)).toThrow(/disposed/);
  });
});
