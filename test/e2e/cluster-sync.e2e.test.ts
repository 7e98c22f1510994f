/**
 * The event log across instances sharing MongoDB and Redis (docs/API.md
 * "Sync"): a device away while 50 messages happen resumes on the other
 * instance and gets exactly those 50, in order, then `sync-done`;
 * concurrent senders on two instances to one user give one gap-free
 * sequence on every connection; and an instance killed (SIGKILL) in the
 * middle of a burst loses no message answered `201` from a resumed
 * device's view.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../support/cluster.js';
import type { ServerProcess } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';
import {
  connectWs,
  type Frame,
  frameOf,
  registerUser,
  type TestUser,
  type WsClient,
} from '../support/ws-client.js';

const cluster = useCluster();
let a: ServerProcess;
let b: ServerProcess;
const opened: WsClient[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([cluster.start('A'), cluster.start('B')]);
});

let sequence = 0;
function user(name: string): Promise<TestUser> {
  sequence += 1;
  return registerUser(a.url, `${name} ${sequence}`);
}

function send(on: ServerProcess, from: TestUser, to: TestUser, content: string) {
  return callJson(on.url, 'POST', '/api/chat/send', {
    token: from.token,
    body: { receiverId: to.userId, content, clientMessageId: content.replace(/\s/g, '-') },
  });
}

async function resume(on: ServerProcess, who: TestUser, since: number): Promise<WsClient> {
  const socket = await connectWs(on.url, who.token, { path: `/?since=${since}` });
  opened.push(socket);
  return socket;
}

const logged = (socket: WsClient): Frame[] => socket.frames.filter((f) => f.seq !== undefined);
const seqs = (frames: readonly Frame[]) => frames.map((f) => f.seq);
const upTo = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('the event log on two instances', () => {
  it('resumes on the other instance with exactly what was missed, then sync-done', async () => {
    const alice = await user('Alice');
    const bob = await user('Bob');
    const away = await cluster.connect(bob, a);
    await send(a, alice, bob, 'before');
    const last = (await away.waitFor(frameOf('new-message'))).seq!;
    await away.close();

    // Half of the sends through each instance.
    for (let n = 1; n <= 50; n++) {
      expect((await send(n % 2 === 0 ? a : b, alice, bob, `m ${n}`)).status).toBe(201);
    }
    const back = await resume(b, bob, last);
    const done = await back.waitFor(frameOf('sync-done'), 10_000);
    const replay = logged(back).filter((f) => back.frames.indexOf(f) < back.frames.indexOf(done));
    expect(replay.map((f) => f.payload.content)).toEqual(upTo(1, 50).map((n) => `m ${n}`));
    expect(seqs(replay)).toEqual(upTo(last + 1, 50));
    expect(done.payload).toEqual({ seq: last + 50 });

    await send(a, alice, bob, 'live');
    expect(await back.waitFor(frameOf('new-message', { content: 'live' }))).toMatchObject({
      seq: last + 51,
    });
  });

  it('gives every connection one gap-free sequence when two instances send at once', async () => {
    const carol = await user('Carol');
    const senders = await Promise.all([user('S1'), user('S2'), user('S3'), user('S4')]);
    const onA = await cluster.connect(carol, a);
    const onB = await cluster.connect(carol, b);
    await Promise.all(
      senders.map(async (sender, i) => {
        for (let n = 1; n <= 15; n++) {
          expect((await send(i % 2 === 0 ? a : b, sender, carol, `s${i} ${n}`)).status).toBe(201);
        }
      }),
    );
    for (const socket of [onA, onB]) {
      await socket.waitFor((f) => f.seq === 60, 10_000);
      expect(seqs(logged(socket))).toEqual(upTo(1, 60));
    }
  });

  it('loses no message answered 201 when an instance is killed mid-burst', async () => {
    const dave = await user('Dave');
    const erin = await user('Erin');
    const victim = await cluster.start('victim');
    const acknowledged = new Set<string>();
    const burst = (async () => {
      for (let n = 1; n <= 200; n++) {
        const res = await send(victim, erin, dave, `burst ${n}`).catch(() => null);
        if (res === null) return;
        if (res.status === 201 || res.status === 200) acknowledged.add(res.body._id);
      }
    })();
    while (acknowledged.size < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    victim.kill('SIGKILL');
    await burst;
    await victim.exited;

    const back = await resume(b, dave, 0);
    await back.waitFor(frameOf('sync-done'), 10_000);
    const replay = logged(back);
    expect(seqs(replay)).toEqual(upTo(1, replay.length));
    const seen = new Set(replay.map((f) => f.payload._id));
    for (const id of acknowledged) expect(seen.has(id)).toBe(true);
  });
});
