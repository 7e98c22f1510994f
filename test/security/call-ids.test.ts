/**
 * Client-chosen callIds are scoped to their caller (SECURITY.md): an id that
 * another user's call holds, live or past, never makes someone's `call-user`
 * fail `CALL_EXISTS`; the call rings under a fresh server-chosen id. Across
 * two instances: cluster.test.ts.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { startTestServer } from '../support/start-test-server.js';
import { connectWs, registerUser } from '../support/ws-client.js';
import { expectChosenIdsScoped } from './helpers.js';

describe('squatting client-chosen callIds, one instance', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("cannot block another user's calls", async () => {
    const users = await Promise.all(
      ['Squatter', 'Offline', 'Bystander', 'Victim', 'Callee'].map((name) =>
        registerUser(server.url, name),
      ),
    );
    const [squatter, offline, bystander, victim, callee] = users as [
      (typeof users)[0],
      (typeof users)[0],
      (typeof users)[0],
      (typeof users)[0],
      (typeof users)[0],
    ];
    const sockets = {
      squatter: await connectWs(server.url, squatter.token),
      bystander: await connectWs(server.url, bystander.token),
      victim: await connectWs(server.url, victim.token),
      victimsCallee: await connectWs(server.url, callee.token),
    };
    await expectChosenIdsScoped(sockets, {
      offline: offline.userId,
      bystander: bystander.userId,
      victimsCallee: callee.userId,
    });
    await Promise.all(Object.values(sockets).map((socket) => socket.close()));
  });
});
