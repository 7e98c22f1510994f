/**
 * @module The hub's closing: every connection is closed with 1001 and the
 * hub waits for each one's cleanup (presence, calls); clients that do not
 * answer the closing handshake within the grace period are cut off.
 */
import type { Connection } from './connection.js';
import type { ExpiryQueue } from './expiry-queue.js';
import type { Lifecycle } from './lifecycle.js';
import { CLOSE_CODES } from './protocol.js';

export interface ShutdownInit {
  readonly lifecycle: Pick<Lifecycle, 'live' | 'whenQuiet'>;
  readonly expiries: ExpiryQueue<Connection>;
  /** How long closing handshakes may take before sockets are cut. */
  readonly closeGraceMs: number;
}

/** Closes every open connection and resolves once all of them were cleaned up. */
export async function closeConnections(init: ShutdownInit): Promise<void> {
  const { lifecycle } = init;
  const quiet = lifecycle.whenQuiet();
  for (const connection of lifecycle.live) {
    connection.shut(CLOSE_CODES.goingAway, 'The server is shutting down.');
  }
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, init.closeGraceMs);
  });
  await Promise.race([quiet, grace]);
  clearTimeout(timer);
  // Clients that do not answer the closing handshake in time are cut off.
  for (const connection of lifecycle.live) connection.terminate();
  await quiet;
  init.expiries.clear();
}
