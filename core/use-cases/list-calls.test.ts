import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../test/support/core-deps.js';
import type { CallId, CallRecord, UserId } from '../model.js';
import { listCalls } from './list-calls.js';

const T0 = Date.parse('2026-02-01T10:00:00.000Z');

function record(id: string, callerId: UserId, calleeId: UserId, startMs: number): CallRecord {
  return {
    id: id as CallId,
    callerId,
    calleeId,
    media: 'audio',
    status: 'ringing',
    startedAt: new Date(T0 + startMs),
    answeredAt: null,
    endedAt: null,
    durationSec: null,
    endReason: null,
  };
}

async function withCalls() {
  const { deps } = createCoreDeps();
  const me = '6b0000000000000000000001' as UserId;
  const bob = '6b0000000000000000000002' as UserId;
  const carol = '6b0000000000000000000003' as UserId;
  await deps.calls.insert(record('c1', me, bob, 1000));
  await deps.calls.insert(record('c2', carol, me, 3000));
  await deps.calls.insert(record('c3', bob, carol, 4000));
  await deps.calls.insert(record('c4', me, carol, 2000));
  await deps.calls.finish('c4' as CallId, {
    status: 'missed',
    endReason: 'timeout',
    endedAt: new Date(T0 + 62_000),
    durationSec: null,
  });
  return { deps, me, bob, carol };
}

describe('listCalls', () => {
  it('lists the calls the user took part in, as caller or callee, newest first', async () => {
    const { deps, me } = await withCalls();
    const calls = await listCalls(deps, { userId: me, limit: 30, offset: 0 });
    expect(calls.map((c) => c.id)).toEqual(['c2', 'c4', 'c1']);
    expect(calls[1]).toMatchObject({ status: 'missed', endReason: 'timeout' });
  });

  it('pages with limit and offset', async () => {
    const { deps, me } = await withCalls();
    expect((await listCalls(deps, { userId: me, limit: 1, offset: 1 })).map((c) => c.id)).toEqual([
      'c4',
    ]);
    expect(await listCalls(deps, { userId: me, limit: 10, offset: 3 })).toEqual([]);
  });

  it('shows nothing of other users’ calls', async () => {
    const { deps, bob } = await withCalls();
    const ids = (await listCalls(deps, { userId: bob, limit: 30, offset: 0 })).map((c) => c.id);
    expect(ids).toEqual(['c3', 'c1']);
    const nobody = '6b00000000000000000000ff' as UserId;
    expect(await listCalls(deps, { userId: nobody, limit: 30, offset: 0 })).toEqual([]);
  });

  it('pages after a call of the history with before, then offset within the older ones', async () => {
    const { deps, me } = await withCalls();
    const page = (before: string, offset = 0) =>
      listCalls(deps, { userId: me, limit: 30, offset, before }).then((c) => c.map((x) => x.id));
    expect(await page('c2')).toEqual(['c4', 'c1']);
    expect(await page('c2', 1)).toEqual(['c1']);
    expect(await page('c1')).toEqual([]);
  });

  it('refuses a before that is no call of the user: unknown, malformed and others’ alike', async () => {
    const { deps, me } = await withCalls();
    for (const before of ['c3', 'nope', '', '{"$gt":""}']) {
      await expect(
        listCalls(deps, { userId: me, limit: 30, offset: 0, before }),
        before,
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'before' }] });
    }
  });
});
