/**
 * Durability (issue 3): a server process on MongoDB takes 100 sends (one by
 * one and in concurrent waves), then a burst that is cut short by SIGKILL;
 * restarted on the same database, it still has every message it answered
 * `201`, in order, none twice, and a retry of any of them is answered `200`
 * with the stored message.
 */
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/mongo.js';
import { type ServerProcess, useServerProcesses } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';

const database = useTestDatabase();
const servers = useServerProcesses();

interface Message {
  readonly _id: string;
  readonly conversationId: string;
  readonly senderId: string;
  readonly receiverId: string;
  readonly content: string;
  readonly messageType: string;
  readonly clientMessageId: string | null;
  readonly createdAt: string;
}

interface Attempt {
  readonly clientMessageId: string;
  readonly content: string;
  /** The stored message when the answer was 201; null when no answer came. */
  message: Message | null;
  status: number | null;
}

const SEQUENTIAL = 40;
const WAVES = 3;
const WAVE_SIZE = 20;
const BURST = 30;

function startServer(): Promise<ServerProcess> {
  return servers.start({ env: { MONGODB_URI: database.uri }, name: 'durability server' });
}

async function register(url: string, phoneNumber: string, displayName: string) {
  const answer = await callJson(url, 'POST', '/api/auth/register', {
    body: { phoneNumber, displayName, password: 'durable password' },
  });
  expect(answer.status).toBe(201);
  return answer.body as { token: string; userId: string };
}

async function send(url: string, token: string, receiverId: string, attempt: Attempt) {
  try {
    const answer = await callJson<Message>(url, 'POST', '/api/chat/send', {
      token,
      body: { receiverId, content: attempt.content, clientMessageId: attempt.clientMessageId },
    });
    attempt.status = answer.status;
    if (answer.status === 201) attempt.message = answer.body;
  } catch {
    // The process died before answering: the message may or may not be stored.
    attempt.status = null;
  }
}

/** Every message of the conversation, newest first, read 30 at a time with `before`. */
async function readAll(url: string, token: string, peerId: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let page = 0; page < 100; page++) {
    const before = all.at(-1)?._id;
    const query = before === undefined ? '?limit=30' : `?limit=30&before=${before}`;
    const answer = await callJson<(Message & { deliveredAt: null; readAt: null })[]>(
      url,
      'GET',
      `/api/chat/messages/${peerId}${query}`,
      { token },
    );
    expect(answer.status).toBe(200);
    if (answer.body.length === 0) return all;
    // Nobody acknowledged or read them; the rest is the message as the send answered it.
    for (const { deliveredAt, readAt, ...message } of answer.body) {
      expect({ deliveredAt, readAt }).toEqual({ deliveredAt: null, readAt: null });
      all.push(message);
    }
  }
  throw new Error('more than 100 pages of messages');
}

const newestFirst = (a: Message, b: Message) =>
  a.createdAt === b.createdAt ? (a._id < b._id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

describe('messages acknowledged with 201 survive SIGKILL (MongoDB)', () => {
  it('has every answered message after a restart, in order, none twice', async () => {
    const first = await startServer();
    const alice = await register(first.url, '+15550100001', 'Alice');
    const bob = await register(first.url, '+15550100002', 'Bob');

    const attempts: Attempt[] = [];
    const attempt = (i: number): Attempt => {
      const made: Attempt = {
        clientMessageId: `durable-${i}`,
        content: `message ${i}`,
        message: null,
        status: null,
      };
      attempts.push(made);
      return made;
    };

    // 100 sends the server takes in full: one at a time, then concurrent waves.
    const started = Date.now();
    for (let i = 0; i < SEQUENTIAL; i++) await send(first.url, alice.token, bob.userId, attempt(i));
    for (let wave = 0; wave < WAVES; wave++) {
      const batch = Array.from({ length: WAVE_SIZE }, (_, j) =>
        attempt(SEQUENTIAL + wave * WAVE_SIZE + j),
      );
      await Promise.all(batch.map((a) => send(first.url, alice.token, bob.userId, a)));
    }
    expect(attempts.map((a) => a.status)).toEqual(attempts.map(() => 201));
    const sendMs = Date.now() - started;

    // Then a concurrent burst, cut short by SIGKILL once a few of it were answered.
    const burst = Array.from({ length: BURST }, (_, j) => attempt(100 + j));
    const inFlight = burst.map((a) => send(first.url, alice.token, bob.userId, a));
    for (let waited = 0; burst.filter((a) => a.status === 201).length < 3; waited++) {
      if (waited > 1000) throw new Error('the burst got no answers');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    first.kill('SIGKILL');
    await Promise.all(inFlight);
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const answered = attempts.filter((a) => a.status === 201);
    const unanswered = attempts.filter((a) => a.status !== 201);
    console.log(
      `[durability] 100 sends in ${sendMs} ms; burst of ${BURST}: ${BURST - unanswered.length} answered 201 before SIGKILL`,
    );

    // Restart on the same database.
    const restartedAt = Date.now();
    const second = await startServer();
    console.log(`[durability] restarted in ${Date.now() - restartedAt} ms`);

    const stored = await readAll(second.url, bob.token, alice.userId);
    const ids = stored.map((m) => m._id);
    expect(new Set(ids).size).toBe(ids.length);
    const clientIds = stored.map((m) => m.clientMessageId);
    expect(new Set(clientIds).size).toBe(clientIds.length);
    // Nothing that was never sent, nothing answered missing, each exactly as answered.
    const attempted = new Set(attempts.map((a) => a.clientMessageId));
    for (const message of stored) expect(attempted.has(message.clientMessageId!)).toBe(true);
    const byClientId = new Map(stored.map((m) => [m.clientMessageId, m]));
    const keptUnanswered = unanswered.filter((a) => byClientId.has(a.clientMessageId)).length;
    console.log(
      `[durability] after the restart: ${stored.length} stored (${keptUnanswered} of the ${unanswered.length} unanswered among them)`,
    );
    for (const a of answered) expect(byClientId.get(a.clientMessageId)).toEqual(a.message);
    for (const message of stored) {
      expect(message.content).toBe(`message ${message.clientMessageId!.slice('durable-'.length)}`);
    }
    // Newest first by (createdAt, _id), and the one-by-one sends in the order they were made.
    expect(stored).toEqual([...stored].sort(newestFirst));
    const sequential = attempts.slice(0, SEQUENTIAL).map((a) => a.message!._id);
    expect(ids.filter((id) => sequential.includes(id)).reverse()).toEqual(sequential);
    // Each concurrent wave lies entirely after everything answered before it was sent.
    for (let wave = 0; wave < WAVES; wave++) {
      const from = SEQUENTIAL + wave * WAVE_SIZE;
      const earlier = new Set(attempts.slice(0, from).map((a) => a.message!._id));
      const waveIds = attempts.slice(from, from + WAVE_SIZE).map((a) => a.message!._id);
      const newestEarlier = Math.min(...[...earlier].map((id) => ids.indexOf(id)));
      for (const id of waveIds) expect(ids.indexOf(id)).toBeLessThan(newestEarlier);
    }
    expect(stored.length).toBeGreaterThanOrEqual(answered.length);
    expect(stored.length).toBeLessThanOrEqual(attempts.length);

    // Retrying every burst send: 200 with the stored message when it was kept, else 201.
    for (const a of burst) {
      const retry = await callJson<Message>(second.url, 'POST', '/api/chat/send', {
        token: alice.token,
        body: { receiverId: bob.userId, content: 'a retry', clientMessageId: a.clientMessageId },
      });
      const kept = byClientId.get(a.clientMessageId);
      if (kept) expect(retry).toMatchObject({ status: 200, body: kept });
      else expect(retry).toMatchObject({ status: 201, body: { content: 'a retry' } });
    }
    const afterRetries = await readAll(second.url, bob.token, alice.userId);
    expect(afterRetries.length).toBe(attempts.length);
    expect(new Set(afterRetries.map((m) => m.clientMessageId)).size).toBe(attempts.length);

    // The conversation list still works and moves on with the next message.
    const latest = await callJson<Message>(second.url, 'POST', '/api/chat/send', {
      token: alice.token,
      body: { receiverId: bob.userId, content: 'after the restart' },
    });
    expect(latest.status).toBe(201);
    const conversations = await callJson(second.url, 'GET', '/api/chat/conversations', {
      token: bob.token,
    });
    expect(conversations.status).toBe(200);
    expect(conversations.body).toHaveLength(1);
    expect(conversations.body[0]).toMatchObject({
      _id: latest.body.conversationId,
      lastMessage: latest.body,
    });

    expect(second.isRunning()).toBe(true);
  }, 90_000);
});
