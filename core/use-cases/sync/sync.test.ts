import { describe, expect, it } from 'vitest';
import { createCoreDeps } from '../../../test/support/core-deps.js';
import type { EventLog, LoggedEvent, MessageId, SyncEvent, UserId } from '../../index.js';
import { register } from '../register.js';
import { sendMessage } from '../send-message.js';
import { appendEvent, PRUNE_EVERY } from './append-event.js';
import { readEvents } from './read-events.js';

const DAY = 86_400_000;

async function world() {
  const core = createCoreDeps();
  const make = (phoneNumber: string, displayName: string) =>
    register(core.deps, { phoneNumber, username: null, displayName, password: 'password1' }).then(
      (s) => s.user,
    );
  const alice = await make('+15550100001', 'Alice');
  const bob = await make('+15550100002', 'Bob');
  const read = (n: number): SyncEvent => ({
    type: 'conversation-read',
    peerId: bob.id,
    upTo: `m${n}` as MessageId,
    readAt: core.clock.now(),
  });
  return { ...core, alice, bob, read };
}

describe('readEvents', () => {
  it('pages through the log in seq order: seq is the next since, more says go on', async () => {
    const { deps, alice, bob, clock } = await world();
    for (let n = 1; n <= 5; n++) {
      clock.advance(1000);
      await sendMessage(deps, { senderId: bob.id, receiverId: alice.id, content: `m${n}` });
    }
    const first = await readEvents(deps, { userId: alice.id, since: 0, limit: 2 });
    expect(first).toMatchObject({ seq: 2, more: true, reset: false });
    expect(first.events.map((e) => (e.type === 'new-message' ? e.message.content : ''))).toEqual([
      'm1',
      'm2',
    ]);
    const rest = await readEvents(deps, { userId: alice.id, since: 2, limit: 10 });
    expect(rest.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(rest).toMatchObject({ seq: 5, more: false, reset: false });
    expect(await readEvents(deps, { userId: alice.id, since: 5 })).toEqual({
      events: [],
      seq: 5,
      more: false,
      reset: false,
    });
  });

  it('stops before a hole and says more, never serving past it', async () => {
    const { deps, alice, read, clock } = await world();
    const logged = (seq: number): LoggedEvent => ({ ...read(seq), seq, at: clock.now() });
    // A log that shows 1, 2 and 4 while 3 is still being written.
    const racing: EventLog = {
      ...deps.events,
      readAfter: async (_user, since, limit) =>
        [1, 2, 4]
          .filter((s) => s > since)
          .slice(0, limit)
          .map(logged),
      head: async () => 4,
    };
    const page = await readEvents({ events: racing }, { userId: alice.id, since: 0 });
    expect(page.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(page).toMatchObject({ seq: 2, more: true, reset: false });
  });

  it('answers reset with the head when the events after since were pruned', async () => {
    const { deps, alice, read, clock } = await world();
    for (let n = 1; n <= PRUNE_EVERY; n++) {
      await appendEvent(deps, { userId: alice.id, event: read(n) });
      // The first ten are over 30 days old by the time the 64th prunes.
      if (n === 10) clock.advance(31 * DAY);
    }
    // Pruning runs after the append returns.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await deps.events.readAfter(alice.id, 0, 1))[0]?.seq).toBe(11);
    expect(await readEvents(deps, { userId: alice.id, since: 3 })).toEqual({
      events: [],
      seq: PRUNE_EVERY,
      more: false,
      reset: true,
    });
    const kept = await readEvents(deps, { userId: alice.id, since: 10, limit: 500 });
    expect(kept.events).toHaveLength(PRUNE_EVERY - 10);
    expect(kept.reset).toBe(false);
  });

  it('answers reset when since is beyond the log', async () => {
    const { deps, alice, read } = await world();
    await appendEvent(deps, { userId: alice.id, event: read(1) });
    expect(await readEvents(deps, { userId: alice.id, since: 7 })).toEqual({
      events: [],
      seq: 1,
      more: false,
      reset: true,
    });
  });

  it.each([
    [{ since: -1 }, 'since'],
    [{ since: 1.5 }, 'since'],
    [{ since: 0, limit: 0 }, 'limit'],
    [{ since: 0, limit: 10_001 }, 'limit'],
  ])('refuses %o at %s', async (input, path) => {
    const { deps, alice } = await world();
    await expect(readEvents(deps, { userId: alice.id, ...input })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path }],
    });
  });
});

describe('appendEvent', () => {
  it('pushes each event after it is logged, in seq order, also when appends race', async () => {
    const { deps, alice, read, notifier } = await world();
    const pushedSeqs: number[] = [];
    const logged: number[] = [];
    const events = deps.events;
    const slowFirst: EventLog = {
      ...events,
      async append(user, event, at) {
        const entry = await events.append(user, event, at);
        logged.push(entry.seq);
        // The first answer comes last: without the queue its push would too.
        if (entry.seq === 1) await new Promise((resolve) => setTimeout(resolve, 5));
        return entry;
      },
    };
    const spy = { ...deps, events: slowFirst };
    await Promise.all([1, 2, 3].map((n) => appendEvent(spy, { userId: alice.id, event: read(n) })));
    for (const sent of notifier.sent) {
      if ('seq' in sent.notification) {
        // Durable before pushed: the log had it when it was pushed.
        expect(logged).toContain(sent.notification.seq);
        pushedSeqs.push(sent.notification.seq);
      }
    }
    expect(pushedSeqs).toEqual([1, 2, 3]);
  });

  it('logs a message to a user who blocks the sender only for the sender', async () => {
    const { deps, alice, bob } = await world();
    await deps.blocks.block({ blockerId: bob.id, blockedId: alice.id, blockedAt: new Date() });
    await sendMessage(deps, { senderId: alice.id, receiverId: bob.id, content: 'hi?' });
    expect(await deps.events.head(bob.id as UserId)).toBe(0);
    expect(await deps.events.head(alice.id)).toBe(1);
  });
});
