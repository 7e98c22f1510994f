/**
 * @module Baseline: the product server without its event log, for the
 * `senders` scenario. The very server `apps/server/main.ts` starts (same
 * configuration from the environment, same store, routes and hub), with two
 * ports of its `Deps` swapped once it is up: the log keeps only a counter
 * per user (`seq` is numbered as usual, so the hub delivers pushes as it
 * does, but nothing is written: no insert in MongoDB, no entry in memory,
 * nothing to read back) and the per-user event queue runs each task at once
 * instead of one after another. What is left of a send is what it was
 * before the log: store the message, update the conversation, push.
 *
 * The swap works because the routes and the hub reach the ports through the
 * one `Deps` object at call time; the scenario checks that it took (this
 * server's `GET /api/sync` finds nothing logged, the product's does).
 * Production has no switch to turn the log off, so this lives here.
 */

import type { EventLog, KeyedQueue, LoggedEvent, UserId } from '../../core/index.js';
import { distModule } from '../lib/dist.js';
import { closeOnSignals } from '../lib/proc.js';

// From the build, like the product it is compared with.
const { startServer } = await distModule<typeof import('../../apps/server/start-server.js')>(
  'apps/server/start-server.js',
);
const running = await startServer({ env: process.env });

const heads = new Map<UserId, number>();
const counterOnly: EventLog = {
  async append(userId, event, at) {
    const seq = (heads.get(userId) ?? 0) + 1;
    heads.set(userId, seq);
    return { ...event, seq, at } as LoggedEvent;
  },
  async readAfter() {
    return [];
  },
  async head(userId) {
    return heads.get(userId) ?? 0;
  },
  async prune() {},
  async removeAll(userId) {
    heads.delete(userId);
  },
};
const atOnce: KeyedQueue = {
  run: (_key, task) => task(),
  settled: async () => {},
};
Object.assign(running.deps, { events: counterOnly, eventQueue: atOnce });

closeOnSignals(() => running.close());
