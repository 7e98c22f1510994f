/**
 * @module The client's address, as the per-IP rate limits key it. By default
 * the TCP peer's address; `X-Forwarded-For` counts only when the server is
 * told how many proxies of its own stand in front of it (`TRUST_PROXY`), and
 * then only the entries those proxies appended.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { requestHeader } from './node-bindings.js';

/** What `clientAddress` answers when no socket is known (e.g. `app.request()` in tests). */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The address to key per-IP limits by. `trustedProxies` is the number of
 * reverse proxies of ours in front of the server (0: none, `X-Forwarded-For`
 * ignored). With n > 0 the hops are read right to left: the socket's peer and
 * the last n−1 forwarded entries are our proxies, the entry before them is
 * the client (the leftmost entry when the list is shorter). Whatever the
 * client wrote itself further left is never read.
 *
 * IPv6 addresses are keyed by their /64 prefix (one subscriber's usual
 * allocation), so a client cannot hop between 2⁶⁴ addresses to escape a limit;
 * IPv4-mapped IPv6 addresses count as IPv4.
 */
export function clientAddress(c: Context, trustedProxies = 0): string {
  const peer = socketAddress(c);
  if (trustedProxies <= 0) return bucketOf(peer ?? UNKNOWN_ADDRESS);
  const forwarded = (requestHeader(c, 'x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Nearest hop first: the socket's peer, then the forwarded entries from the right.
  const hops = [peer ?? UNKNOWN_ADDRESS, ...forwarded.reverse()];
  return bucketOf(hops[Math.min(trustedProxies, hops.length - 1)] ?? UNKNOWN_ADDRESS);
}

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // Not served by @hono/node-server (tests calling app.request()).
    return undefined;
  }
}

/** The key of an address: IPv4 as is, IPv6 by its /64, anything else as given. */
export function bucketOf(raw: string): string {
  let address = raw;
  // "[::1]:443" and "1.2.3.4:80" from proxies that append ports.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed?.[1] !== undefined) address = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.indexOf(':'));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) address = mapped[1];
  if (isIPv4(address)) return address;
  if (isIPv6(address)) return `${ipv6Prefix64(address)}::/64`;
  return address;
}

function ipv6Prefix64(address: string): string {
  const withoutZone = address.split('%')[0] ?? address;
  const [head = '', tail] = withoutZone.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // A trailing dotted quad (`64:ff9b::1.2.3.4`) stands for two groups.
  if (right.at(-1)?.includes('.')) right.push('0');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(':');
}
