import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import type { MessageId, UserId } from '../../core/index.js';
import { createMemoryEventLog } from './event-log.js';

setFlagsFromString('--allow-natives-syntax');
/** V8's own answer to "do these two objects share a hidden class?" (compiled after the flag is on). */
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean;

describe('memory event log', () => {
  it('gives entries of one event type one hidden class, however many it holds', async () => {
    const log = createMemoryEventLog();
    const user = 'u1' as UserId;
    const entries = [];
    for (let i = 0; i < 50; i++) {
      const event = {
        type: 'message-delivered',
        messageId: `m${i}` as MessageId,
        to: 'u2' as UserId,
        deliveredAt: new Date(),
      } as const;
      entries.push(await log.append(user, event, new Date()));
    }
    expect(haveSameMap(entries[48]!, entries[49]!)).toBe(true);
    expect(entries[49]).toMatchObject({ type: 'message-delivered', messageId: 'm49', seq: 50 });
  });
});
