/** @module Reads a user's event log after a position (resume, `GET /api/sync`). */
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import type { LoggedEvent, UserId } from '../../model.js';
import { type Rule, ruleIssue } from '../../rules.js';

/** Most events `GET /api/sync?limit=` returns. */
export const MAX_SYNC_LIMIT = 500;
/**
 * Most events one read returns: a socket's replay page. Large, because a
 * store that cannot sort through its index (FerretDB) scans the user's log
 * for every page.
 */
export const MAX_READ_LIMIT = 10_000;
export const DEFAULT_SYNC_LIMIT = 100;

/** A position in a user's event log: `since` of a read, `seq` of an ack. */
export const SEQ_RULE: Rule<number> = {
  test: (seq) => Number.isSafeInteger(seq) && seq >= 0,
  message: 'Must be a whole number ≥ 0.',
};

export interface ReadEventsInput {
  readonly userId: UserId;
  /** The last `seq` the client has; 0 for everything still kept. */
  readonly since: number;
  readonly limit?: number;
}

export interface EventPage {
  /** Events after `since`, in `seq` order, without holes. */
  readonly events: readonly LoggedEvent[];
  /** The client's position after these events (`since` when there are none; the head on a reset). */
  readonly seq: number;
  /** More events follow: read again from `seq`. */
  readonly more: boolean;
  /**
   * The events right after `since` are gone (older than the retention), or
   * `since` is beyond the log: refetch the conversations, then go on from `seq`.
   */
  readonly reset: boolean;
}

/**
 * The events of `userId` after `since`, at most `limit`. Never returns an
 * event past a hole: a hole is a write racing this read (the log's appends
 * make `n` readable before `n + 1` exists, ports/event-log.ts), so the page
 * stops before it and says `more`; a client that has seen `seq` never finds
 * an event below it later.
 */
export async function readEvents(
  deps: Pick<Deps, 'events'>,
  input: ReadEventsInput,
): Promise<EventPage> {
  const { userId, since } = input;
  const limit = input.limit ?? DEFAULT_SYNC_LIMIT;
  assertValid(since, limit);
  let found = await deps.events.readAfter(userId, since, limit + 1);
  let events = contiguous(found, since);
  if (found.length > 0 && events.length === 0) {
    // `since + 1` missing: pruned, or written while this read ran. A second look tells.
    found = await deps.events.readAfter(userId, since, limit + 1);
    events = contiguous(found, since);
    if (found.length > 0 && events.length === 0) return reset(deps, userId);
  }
  if (found.length === 0) {
    const head = await deps.events.head(userId);
    if (since > head) return reset(deps, userId, head);
    return { events: [], seq: since, more: false, reset: false };
  }
  const served = events.length > limit ? events.slice(0, limit) : events;
  return {
    events: served,
    seq: served.at(-1)?.seq ?? since,
    more: found.length > served.length,
    reset: false,
  };
}

/** The events of `found` that follow `since` without a hole. */
function contiguous(found: readonly LoggedEvent[], since: number): LoggedEvent[] {
  let n = 0;
  while (n < found.length && found[n]!.seq === since + n + 1) n++;
  return n === found.length ? (found as LoggedEvent[]) : found.slice(0, n);
}

async function reset(deps: Pick<Deps, 'events'>, userId: UserId, head?: number) {
  const seq = head ?? (await deps.events.head(userId));
  return { events: [], seq, more: false, reset: true };
}

function assertValid(since: number, limit: number): void {
  const issues = [ruleIssue('since', since, SEQ_RULE)].filter((issue) => issue !== null);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_READ_LIMIT) {
    issues.push({ path: 'limit', message: `Must be a whole number from 1 to ${MAX_READ_LIMIT}.` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}
