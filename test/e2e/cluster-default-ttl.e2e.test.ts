/**
 * With the default heartbeat (10 s) and instance TTL (30 s), the users of an
 * instance killed with SIGKILL are shown `offline` on the other instances
 * within the contract's 60 s (API.md §7, §8). Slow by nature (about half a
 * minute of waiting), so it has a file of its own and runs beside the others.
 */
import { expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import { callJson } from '../support/start-test-server.js';
import { frameOf, registerUser } from '../support/ws-client.js';

const cluster = useCluster();

it('shows the users of a killed instance offline within 60 s with the default settings', async () => {
  const [a, b] = await Promise.all([cluster.start('default A'), cluster.start('default B')]);
  const p = await registerUser(a.url, 'P');
  const q = await registerUser(b.url, 'Q');
  await callJson(b.url, 'POST', '/api/chat/send', {
    token: q.token,
    body: { receiverId: p.userId, content: 'partners' },
  });
  const qOnB = await cluster.connect(q, b);
  await cluster.connect(p, a);
  await qOnB.waitFor(frameOf('presence-update', { userId: p.userId, status: 'active' }));

  const killedAt = Date.now();
  a.kill('SIGKILL');
  await qOnB.waitFor(frameOf('presence-update', { userId: p.userId, status: 'offline' }), 60_000);
  const tookMs = Date.now() - killedAt;
  console.log(
    `[cluster] kill -9 → offline seen on a peer after ${tookMs} ms (defaults: REDIS_HEARTBEAT=10, REDIS_INSTANCE_TTL=30)`,
  );
  expect(tookMs).toBeLessThan(60_000);
  await qOnB.expectNoFrame(frameOf('presence-update', { userId: p.userId }), 1000);
}, 90_000);
