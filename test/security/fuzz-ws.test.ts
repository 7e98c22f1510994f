/**
 * Property-based fuzzing of every client frame type over real sockets
 * (fast-check): envelopes of every type with near-valid and arbitrary
 * payloads, arbitrary JSON, text and binary frames, from three users at once
 * (calls between them really ring, get accepted, relayed and ended). The
 * server never answers `INTERNAL`, never closes a socket for bad input, logs
 * no error, and still answers `/healthz` afterwards.
 *
 * Deterministic by default: `FUZZ_SEED` and `FUZZ_RUNS` vary it.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FRAME_SCHEMAS } from '../../adapters/ws/protocol.js';
import { createLogger } from '../../apps/server/logger.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import { UNKNOWN_ID } from '../support/http.js';
import { callJson, startTestServer } from '../support/start-test-server.js';
import { connectWs, registerUser, type TestUser, type WsClient } from '../support/ws-client.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20_260_301);
const RUNS = Number(process.env.FUZZ_RUNS ?? 100);

const FRAME_TYPES = Object.keys(CLIENT_FRAME_SCHEMAS);

let server: RunningServer;
const logLines: string[] = [];
let users: TestUser[];
let sockets: WsClient[];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  server = await startTestServer({}, { logger: createLogger({ level: 'warn', destination }) });
  users = await Promise.all(
    ['Alice', 'Bob', 'Carol'].map((name) => registerUser(server.url, name)),
  );
  sockets = await Promise.all(users.map((user) => connectWs(server.url, user.token)));
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await server.close();
});

/** One of `list()`, read when a value is generated (the users exist by then). */
const oneOfLater = <T>(list: () => readonly T[], size: number) =>
  fc.nat({ max: size - 1 }).map((i) => list()[i] as T);

const userIds = oneOfLater(
  () => [users[0]!.userId, users[1]!.userId, users[2]!.userId, UNKNOWN_ID, 'nobody', ''],
  6,
);
const callIds = fc.oneof(
  { arbitrary: fc.constantFrom('fuzz-a', 'fuzz-b', 'fuzz-c'), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 70 }), weight: 1 },
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const strings = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
/** Mostly `valid`, sometimes a string or any JSON at all. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { arbitrary: valid, weight: 6 },
    { arbitrary: strings, weight: 1 },
    { arbitrary: anyJson, weight: 1 },
  );

/** Payload fields the frame types read, with values near and far from valid. */
const payload = fc.record(
  {
    to: mostly(userIds),
    callId: mostly(callIds),
    media: mostly(fc.constantFrom('audio', 'video')),
    status: mostly(fc.constantFrom('active', 'idle')),
    userIds: fc.oneof(
      { arbitrary: fc.array(userIds, { maxLength: 5 }), weight: 4 },
      { arbitrary: fc.array(strings, { maxLength: 250 }), weight: 1 },
      { arbitrary: anyJson, weight: 1 },
    ),
    sdp: fc.oneof(strings, anyJson),
    candidate: anyJson,
    from: fc.oneof(userIds, anyJson),
    reason: fc.oneof(strings, anyJson),
    ['__proto__']: anyJson,
  },
  // Missing fields come from the arbitrary payloads below.
  { requiredKeys: ['to', 'callId', 'status', 'userIds'] },
);

const frames = fc.oneof(
  {
    arbitrary: fc
      .record({ type: fc.constantFrom(...FRAME_TYPES), payload })
      .map((frame) => JSON.stringify(frame)),
    weight: 8,
  },
  {
    arbitrary: fc
      .record({ type: fc.oneof(strings, anyJson), payload: fc.oneof(payload, anyJson) })
      .map((frame) => JSON.stringify(frame)),
    weight: 1,
  },
  { arbitrary: anyJson.map((value) => JSON.stringify(value)), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 80 }), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)), weight: 1 },
);

describe('every frame type, with arbitrary input', () => {
  it('never answers INTERNAL and never closes a socket for bad input', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 2 }), frames, async (sender, frame) => {
        const socket = sockets[sender]!;
        socket.sendRaw(frame, { binary: typeof frame !== 'string' });
        // Every frame sent before the round trip has been handled once it returns.
        await socket.roundTrip();
        const internal = socket.frames.find(
          (f) => f.type === 'error' && f.payload?.code === 'INTERNAL',
        );
        expect(internal, JSON.stringify(frame).slice(0, 300)).toBeUndefined();
      }),
      { numRuns: RUNS * FRAME_TYPES.length, seed: SEED },
    );
  });

  it('left every socket open, logged no error, and the server still answers', async () => {
    for (const socket of sockets) await socket.roundTrip();
    // FUZZ_VERBOSE=1 shows how far the frames got (what the sockets were sent back).
    if (process.env.FUZZ_VERBOSE) {
      const seen = new Map<string, number>();
      for (const f of sockets.flatMap((socket) => socket.frames)) {
        const name = f.type === 'error' ? `error ${f.payload?.code}` : f.type;
        seen.set(name, (seen.get(name) ?? 0) + 1);
      }
      console.info([...seen].sort().join('\n'));
    }
    const errors = logLines.filter((line) => line.includes('"level":"error"'));
    expect(errors).toEqual([]);
    expect((await callJson(server.url, 'GET', '/healthz')).status).toBe(200);
    // A fresh connection works as on the first day.
    const fresh = await connectWs(server.url, users[0]!.token);
    await fresh.roundTrip();
    await fresh.close();
  });
});
