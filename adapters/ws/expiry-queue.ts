/**
 * @module One timer for the token expiry of every connection. A timer per
 * connection costs a `Timeout` object (and its closure) per socket, and a
 * server holds tens of thousands of idle sockets; here the connections sit in
 * a binary min-heap ordered by expiry (one array slot and one index each) and
 * a single timer waits for the earliest. Each one is still expired at its own
 * deadline, not on a coarse sweep.
 */

/** setTimeout's largest delay; later deadlines are waited out in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Something that expires; `expiryIndex` belongs to the queue holding it. */
export interface Expiring {
  /** When it expires, in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** Its place in the queue's heap; -1 while in no queue. */
  expiryIndex: number;
}

export class ExpiryQueue<T extends Expiring> {
  private readonly heap: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (epoch ms); meaningless while none is armed. */
  private timerAt = 0;

  /**
   * @param now the clock deadlines are read against (epoch ms)
   * @param expire called once per item, at its deadline; the item has left the queue by then
   */
  constructor(
    private readonly now: () => number,
    private readonly expire: (item: T) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  add(item: T): void {
    item.expiryIndex = this.heap.length;
    this.heap.push(item);
    this.siftUp(item.expiryIndex);
    this.arm();
  }

  /** Takes `item` out; nothing happens if it is in no queue. */
  remove(item: T): void {
    const index = item.expiryIndex;
    if (index < 0) return;
    item.expiryIndex = -1;
    const last = this.heap.pop() as T;
    if (index < this.heap.length) {
      this.place(last, index);
      this.siftDown(index);
      this.siftUp(last.expiryIndex);
    }
    // An armed timer that fires early only re-arms; an empty queue needs none.
    if (this.heap.length === 0) this.disarm();
  }

  /** Empties the queue without expiring anything. */
  clear(): void {
    for (const item of this.heap) item.expiryIndex = -1;
    this.heap.length = 0;
    this.disarm();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.now();
    for (let top = this.heap[0]; top !== undefined && top.expiresAt <= now; top = this.heap[0]) {
      this.remove(top);
      this.expire(top);
    }
    this.arm();
  };

  /** Makes sure a timer fires no later than the earliest deadline. */
  private arm(): void {
    const first = this.heap[0];
    if (first === undefined) return;
    if (this.timer !== undefined && this.timerAt <= first.expiresAt) return;
    this.disarm();
    const now = this.now();
    const delay = Math.min(Math.max(0, first.expiresAt - now), MAX_TIMER_MS);
    this.timerAt = now + delay;
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private place(item: T, index: number): void {
    this.heap[index] = item;
    item.expiryIndex = index;
  }

  private siftUp(index: number): void {
    const item = this.heap[index] as T;
    let at = index;
    while (at > 0) {
      const parentIndex = (at - 1) >> 1;
      const parent = this.heap[parentIndex] as T;
      if (parent.expiresAt <= item.expiresAt) break;
      this.place(parent, at);
      at = parentIndex;
    }
    this.place(item, at);
  }

  private siftDown(index: number): void {
    const { heap } = this;
    const item = heap[index] as T;
    let at = index;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length && (heap[right] as T).expiresAt < (heap[left] as T).expiresAt
          ? right
          : left;
      if ((heap[child] as T).expiresAt >= item.expiresAt) break;
      this.place(heap[child] as T, at);
      at = child;
    }
    this.place(item, at);
  }
}
