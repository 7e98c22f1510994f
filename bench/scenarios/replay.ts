/**
 * @module Replay of 10 000 missed events on resume (docs/API.md "Sync"): a
 * socket opened with `?since=0` on the MongoDB store, timed from the upgrade
 * to `sync-done`, against a driver-only cursor read of the same documents
 * (`find({ userId, seq > 0 }).sort({ seq: 1 })`) on the same database.
 * Both run from this process; the events are written once, with the driver.
 */
import { MongoClient, ObjectId } from 'mongodb';
import WebSocket from 'ws';
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { registerUser, startProduct } from '../lib/product.js';
import { row, side } from '../lib/report.js';

const EVENTS = 10_000;

export const replayScenario: Scenario = {
  id: 'replay',
  title: 'Resume: replay of 10 000 missed events vs a driver cursor read',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const mongo = await ctx.mongo();
    const uri = mongo.uri('replay');
    const product = await startProduct({
      name: 'product (mongo)',
      env: { MONGODB_URI: uri, RATE_LIMITS: 'off' },
    });
    const client = new MongoClient(uri);
    try {
      const [sender, reader] = [
        await registerUser(product.url, 'Sender'),
        await registerUser(product.url, 'Reader'),
      ];
      const events = client.db().collection('events');
      const conversationId = new ObjectId().toHexString();
      const at = new Date();
      ctx.log(`replay: writing ${EVENTS} events`);
      for (let start = 1; start <= EVENTS; start += 1000) {
        await events.insertMany(
          Array.from({ length: 1000 }, (_, i) => ({
            userId: reader.userId,
            seq: start + i,
            at,
            event: {
              type: 'new-message',
              message: {
                id: new ObjectId().toHexString(),
                conversationId,
                senderId: sender.userId,
                receiverId: reader.userId,
                content: `missed message ${start + i}`,
                messageType: 'text',
                clientMessageId: null,
                createdAt: at,
              },
            },
          })),
        );
      }
      const wsUrl = `${product.url.replace(/^http/, 'ws')}/?since=0&token=${reader.token}`;
      const replay = () =>
        new Promise<number>((resolve, reject) => {
          const started = performance.now();
          const socket = new WebSocket(wsUrl);
          let received = 0;
          socket.on('message', (data) => {
            const frame = JSON.parse(data.toString()) as { type: string; seq?: number };
            if (frame.seq !== undefined) received++;
            if (frame.type === 'sync-done') {
              const seconds = (performance.now() - started) / 1000;
              socket.close();
              if (received !== EVENTS) reject(new Error(`replayed ${received} of ${EVENTS}`));
              else resolve(EVENTS / seconds);
            }
          });
          socket.on('error', reject);
        });
      const cursor = async () => {
        const started = performance.now();
        const docs = await events
          .find({ userId: reader.userId, seq: { $gt: 0 } }, { projection: { _id: 0 } })
          .sort({ seq: 1 })
          .toArray();
        if (docs.length !== EVENTS) throw new Error(`read ${docs.length} of ${EVENTS}`);
        return EVENTS / ((performance.now() - started) / 1000);
      };
      ctx.log('replay: warm-up');
      await replay();
      await cursor();
      ctx.log(`replay: ${settings.rounds} rounds × 2`);
      const [p, d] = await alternate(settings.rounds, [replay, cursor]);
      return {
        rows: [
          row({
            scenario: 'replay',
            title: 'resume with ?since=0 on MongoDB',
            metric: `${EVENTS} logged events to sync-done vs a driver cursor read of the same documents`,
            product: side('socket replay', 'events/s', p!),
            baseline: side('driver cursor', 'events/s', d!),
            target: { op: '>=', value: 0.5, text: '≥ 0.50' },
          }),
        ],
        notes: [
          `database: ${mongo.description}`,
          "The replay reads the log in pages of up to 10 000 (FerretDB scans a user's log for every sorted page) and pauses while over 256 KiB wait unsent; the client parses every frame.",
        ],
        profiles: [],
      };
    } finally {
      await client.close();
      await product.stop();
    }
  },
};
