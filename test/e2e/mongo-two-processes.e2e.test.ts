/**
 * Two server processes on one MongoDB database (issue 3): 200 concurrent
 * bundle fetches, spread over both, on a pool of 50 one-time EC keys (and 50
 * one-time Kyber keys) hand out each key exactly once; the other 150 fetches
 * get `oneTimePreKey: null` and the last-resort Kyber key.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createPlainBundle,
  keyIds,
  plainKyberPreKeys,
  plainPreKeys,
} from '../support/libsignal-keys.js';
import { useTestDatabase } from '../support/mongo.js';
import { type ServerProcess, useServerProcesses } from '../support/server-process.js';
import { callJson } from '../support/start-test-server.js';

const database = useTestDatabase();
const servers = useServerProcesses();

const POOL = 50;
const FETCHES = 200;
const FETCHERS = 4;

interface Bundle {
  readonly identityKey: string;
  readonly registrationId: number;
  readonly signedPreKey: { keyId: number; publicKey: string; signature: string };
  readonly oneTimePreKey: { keyId: number; publicKey: string } | null;
  readonly kyberPreKey: { keyId: number; publicKey: string; signature: string } | null;
}

let a: ServerProcess;
let b: ServerProcess;

beforeAll(async () => {
  // One after the other: the second one starts on a database the first one set up.
  a = await servers.start({ env: { MONGODB_URI: database.uri }, name: 'instance A' });
  b = await servers.start({ env: { MONGODB_URI: database.uri }, name: 'instance B' });
});

async function register(url: string, phoneNumber: string) {
  const answer = await callJson(url, 'POST', '/api/auth/register', {
    body: { phoneNumber, displayName: `User ${phoneNumber}`, password: 'two processes' },
  });
  expect(answer.status).toBe(201);
  return answer.body as { token: string; userId: string };
}

describe('one-time keys across two server processes on one database', () => {
  it('hands out each of 50 keys exactly once under 200 concurrent fetches', async () => {
    expect(a.port).not.toBe(b.port);
    const owner = await register(a.url, '+15550200001');
    // Users registered on either instance are known to both.
    const fetchers = await Promise.all(
      Array.from({ length: FETCHERS }, (_, i) =>
        register(i % 2 === 0 ? a.url : b.url, `+1555020010${i}`),
      ),
    );

    const bundle = createPlainBundle({ oneTimeIds: keyIds(POOL), kyberOneTimeIds: keyIds(POOL) });
    const published = await callJson(b.url, 'POST', '/api/keys/publish', {
      token: owner.token,
      body: bundle,
    });
    expect(published).toMatchObject({ status: 200, body: { count: POOL, kyberCount: POOL } });
    const counted = await callJson(a.url, 'GET', '/api/keys/onetime/count', {
      token: owner.token,
    });
    expect(counted.body).toEqual({ count: POOL, kyberCount: POOL });

    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: FETCHES }, (_, i) =>
        callJson<Bundle>(i % 2 === 0 ? a.url : b.url, 'GET', `/api/keys/${owner.userId}/bundle`, {
          token: fetchers[i % FETCHERS]!.token,
        }),
      ),
    );
    console.log(
      `[two processes] ${FETCHES} concurrent fetches over 2 processes in ${Date.now() - started} ms`,
    );

    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const bundles = answers.map((answer) => answer.body);
    for (const fetched of bundles) {
      expect(fetched).toMatchObject({
        identityKey: bundle.identityKey,
        registrationId: bundle.registrationId,
        signedPreKey: bundle.signedPreKey,
      });
    }

    // EC: the 50 keys as published, each once; 150 empty.
    const ec = bundles.map((fetched) => fetched.oneTimePreKey);
    const ecKeys = ec.filter((key) => key !== null);
    expect(ec.filter((key) => key === null)).toHaveLength(FETCHES - POOL);
    expect(ecKeys).toHaveLength(POOL);
    expect(new Set(ecKeys.map((key) => key.keyId)).size).toBe(POOL);
    expect(new Set(ecKeys.map((key) => key.publicKey)).size).toBe(POOL);
    expect([...ecKeys].sort((x, y) => x.keyId - y.keyId)).toEqual(plainPreKeys(keyIds(POOL)));

    // Kyber: the 50 one-time keys each once, then the last-resort key, never consumed.
    const lastResort = bundle.kyberPreKey!;
    const kyber = bundles.map((fetched) => fetched.kyberPreKey);
    const kyberOneTime = kyber.filter((key) => key !== null && key.keyId !== lastResort.keyId);
    expect(kyber.filter((key) => key?.keyId === lastResort.keyId)).toEqual(
      Array.from({ length: FETCHES - POOL }, () => lastResort),
    );
    expect(new Set(kyberOneTime.map((key) => key!.keyId)).size).toBe(POOL);
    expect([...kyberOneTime].sort((x, y) => x!.keyId - y!.keyId)).toEqual(
      plainKyberPreKeys(keyIds(POOL)),
    );

    // Both instances see the pools empty.
    for (const server of [a, b]) {
      const count = await callJson(server.url, 'GET', '/api/keys/onetime/count', {
        token: owner.token,
      });
      expect(count).toMatchObject({ status: 200, body: { count: 0, kyberCount: 0 } });
    }
    expect(a.isRunning() && b.isRunning()).toBe(true);
  }, 60_000);
});
