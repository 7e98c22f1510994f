/**
 * @module The `Notifier` contract with its connection registry, run against
 * every adapter: a push reaches every connection of its user once, wherever
 * it is; `notifyConnection` reaches that one connection only; pushes to a
 * user keep their order; the excepted connection is left out (a logged event
 * only passes it by); a connection that left gets nothing more. A clustered
 * adapter is set up as several nodes (instances sharing a backplane), and
 * connections are spread over them.
 *
 * "Nothing more arrives" is checked without sleeping: pushes to one user keep
 * their order, so once a later push to the same user has arrived everywhere,
 * an earlier one that was to arrive has too.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryNotifier } from '../../adapters/wire/local-notifier.js';
import { notificationFrame, type Push, pushOf } from '../../adapters/wire/push.js';
import type { MessageId, Notification, UserId } from '../../core/index.js';

/** One instance's notifier: a `Notifier` its connections register with. */
export interface NotifierNode {
  readonly notifier: MemoryNotifier & { listen?(userId: UserId): Promise<() => void> };
}

export interface NotifierNodes {
  /** One for an in-process notifier; several instances sharing a backplane for a clustered one. */
  readonly nodes: readonly NotifierNode[];
  close(): Promise<void>;
}

/** Polls `check` every 10 ms until it holds; fails after `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Not reached within ${timeoutMs} ms`);
    await sleep(10);
  }
}

const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

/** A logged event (it has a `seq`), as the frame its connections receive. */
const read = (seq: number): Notification => ({
  type: 'conversation-read',
  seq,
  at,
  peerId: 'p'.repeat(24) as UserId,
  upTo: `m${seq}` as MessageId,
  readAt: at,
});

/** A push without a `seq`. */
const typing = (from: string, active = true): Notification => ({
  type: 'typing',
  from: from as UserId,
  active,
});

const frameOf = (notification: Notification): string =>
  JSON.stringify(notificationFrame(notification));

const MARKER = 'marker-';
let users = 0;
const newUser = () => `user-${process.pid}-${++users}` as UserId;

/** Registers the notifier contract for one adapter; `setup` gives fresh nodes. */
export function describeNotifierContract(name: string, setup: () => Promise<NotifierNodes>): void {
  describe(`Notifier contract: ${name}`, () => {
    let nodes: readonly NotifierNode[];
    let close: () => Promise<void>;
    let offs: (() => void)[];

    beforeEach(async () => {
      ({ nodes, close } = await setup());
      offs = [];
    });
    afterEach(async () => {
      for (const off of offs) off();
      await close();
    });

    const first = () => nodes[0]!.notifier;
    const last = () => nodes[nodes.length - 1]!.notifier;

    interface Inbox {
      /** The frames received, as sent on the wire (markers left out). */
      readonly frames: string[];
      /** The markers `settle` pushed. */
      readonly markers: string[];
      /** Every push received, as received. */
      readonly pushes: Push[];
      /** Logged frames that passed this connection by (it was the excepted one). */
      readonly passedBy: string[];
      leave(): void;
    }

    /** Connects `connectionId` of `userId` on `node` as the hub does: listen, subscribe, release. */
    async function connect(
      node: NotifierNode['notifier'],
      userId: UserId,
      connectionId: string,
    ): Promise<Inbox> {
      const frames: string[] = [];
      const markers: string[] = [];
      const passedBy: string[] = [];
      const pushes: Push[] = [];
      const release = (await node.listen?.(userId)) ?? (() => {});
      const off = node.subscribe(userId, connectionId, (push, passed) => {
        pushes.push(push);
        (passed ? passedBy : push.text.includes(MARKER) ? markers : frames).push(push.text);
      });
      release();
      offs.push(off);
      return { frames, markers, pushes, passedBy, leave: off };
    }

    /**
     * Pushes a marker to `userId` from every node and waits until every inbox
     * got each: whatever was pushed before has arrived by then.
     */
    async function settle(userId: UserId, inboxes: readonly Inbox[]): Promise<void> {
      const texts: string[] = [];
      for (const node of nodes) {
        const marker = typing(`${MARKER}${++users}`, false);
        await node.notifier.notify(userId, marker);
        texts.push(frameOf(marker));
      }
      await eventually(() =>
        inboxes.every((inbox) => texts.every((text) => inbox.markers.includes(text))),
      );
    }

    it('delivers a push to every connection of its user, each once, on every node', async () => {
      const alice = newUser();
      const bob = newUser();
      const inboxes = await Promise.all(
        [0, 1, 2, 3].map((i) => connect(nodes[i % nodes.length]!.notifier, alice, `a${i}`)),
      );
      const bobs = await connect(last(), bob, 'b0');
      for (const node of nodes) await node.notifier.notify(alice, read(nodes.indexOf(node) + 1));
      const expected = nodes.map((_, i) => frameOf(read(i + 1)));
      await eventually(() => inboxes.every((inbox) => inbox.frames.length === nodes.length));
      await settle(alice, inboxes);
      for (const inbox of inboxes) {
        expect([...inbox.frames].sort()).toEqual([...expected].sort());
      }
      expect(bobs.frames).toEqual([]);
    });

    it('hands every connection the finished frame with its routing fields', async () => {
      const alice = newUser();
      const near = await connect(first(), alice, 'near');
      const far = await connect(last(), alice, 'far');
      const sent = [read(5), typing('bob'), typing(alice, false)];
      for (const notification of sent) await first().notify(alice, notification);
      await eventually(() => far.pushes.length === sent.length);
      // Type, text and size, the seq of a logged event, and whose doing each is.
      expect(near.pushes).toEqual(sent.map(pushOf));
      expect(far.pushes).toEqual(sent.map(pushOf));
      expect(far.pushes.map((p) => [p.seq, p.from])).toEqual([
        [5, undefined],
        [undefined, 'bob'],
        [undefined, alice],
      ]);
    });

    it('delivers nothing to a user without connections', async () => {
      const alice = newUser();
      await expect(first().notify(alice, read(1))).resolves.toBeUndefined();
      await expect(last().notifyConnection(alice, 'gone', typing('x'))).resolves.toBeUndefined();
    });

    it('reaches the one connection notifyConnection names, and no other', async () => {
      const alice = newUser();
      const here = await connect(first(), alice, 'here');
      const target = await connect(last(), alice, 'target');
      const sibling = await connect(last(), alice, 'sibling');
      await first().notifyConnection(alice, 'target', typing('bob'));
      await eventually(() => target.frames.length === 1);
      await settle(alice, [here, target, sibling]);
      expect(target.frames).toEqual([frameOf(typing('bob'))]);
      expect(here.frames).toEqual([]);
      expect(sibling.frames).toEqual([]);
      // And one on the node that pushes.
      await last().notifyConnection(alice, 'here', typing('carol'));
      await eventually(() => here.frames.length === 1);
      await settle(alice, [here, target, sibling]);
      expect(here.frames).toEqual([frameOf(typing('carol'))]);
      expect(target.frames).toHaveLength(1);
      expect(sibling.frames).toEqual([]);
    });

    it('keeps the order of the pushes to a user, from one node', async () => {
      const alice = newUser();
      const near = await connect(first(), alice, 'near');
      const far = await connect(last(), alice, 'far');
      const pushes = Array.from({ length: 200 }, (_, i) =>
        i % 3 === 0 ? read(i + 1) : typing(`u${i}`),
      );
      const direct = Array.from({ length: 50 }, (_, i) => typing(`direct${i}`));
      for (const push of pushes) await first().notify(alice, push);
      for (const push of direct) await first().notifyConnection(alice, 'far', push);
      await eventually(() => far.frames.length === pushes.length + direct.length);
      expect(near.frames).toEqual(pushes.map(frameOf));
      expect(far.frames).toEqual([...pushes, ...direct].map(frameOf));
    });

    it('leaves out the excepted connection wherever it is; a logged push passes it by', async () => {
      const alice = newUser();
      const phone = await connect(first(), alice, 'phone');
      const laptop = await connect(last(), alice, 'laptop');
      await last().notify(alice, read(1), { exceptConnectionId: 'phone' });
      await first().notify(alice, typing('bob'), { exceptConnectionId: 'laptop' });
      await first().notify(alice, read(2), { exceptConnectionId: 'laptop' });
      await settle(alice, [phone, laptop]);
      expect(phone.frames).toEqual([frameOf(typing('bob')), frameOf(read(2))]);
      expect(phone.passedBy).toEqual([frameOf(read(1))]);
      expect(laptop.frames).toEqual([frameOf(read(1))]);
      expect(laptop.passedBy).toEqual([frameOf(read(2))]);
    });

    it('delivers nothing to a connection after it left, and goes on for the others', async () => {
      const alice = newUser();
      const staying = await connect(first(), alice, 'staying');
      const leaving = await connect(last(), alice, 'leaving');
      await first().notify(alice, typing('bob'));
      await eventually(() => leaving.frames.length === 1);
      leaving.leave();
      leaving.leave();
      await first().notify(alice, typing('carol'));
      await last().notifyConnection(alice, 'leaving', typing('dave'));
      await settle(alice, [staying]);
      expect(leaving.frames).toEqual([frameOf(typing('bob'))]);
      expect(leaving.markers).toEqual([]);
      expect(staying.frames).toEqual([frameOf(typing('bob')), frameOf(typing('carol'))]);
      // Connecting again on the same node is heard again.
      const back = await connect(last(), alice, 'leaving');
      await first().notifyConnection(alice, 'leaving', typing('erin'));
      await eventually(() => back.frames.length === 1);
      expect(back.frames).toEqual([frameOf(typing('erin'))]);
    });

    it('hears a push made right after listen resolved, on a connection subscribed before release', async () => {
      const alice = newUser();
      const node = last();
      const release = (await node.listen?.(alice)) ?? (() => {});
      const frames: string[] = [];
      // The hub's order: listen, subscribe, then `ready`; anything pushed from then on arrives.
      offs.push(node.subscribe(alice, 'c1', (push) => frames.push(push.text)));
      await first().notify(alice, typing('bob'));
      release();
      await eventually(() => frames.length === 1);
      expect(frames).toEqual([frameOf(typing('bob'))]);
    });
  });
}
