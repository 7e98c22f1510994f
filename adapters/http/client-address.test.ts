import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { bucketOf, clientAddress, UNKNOWN_ADDRESS } from './client-address.js';

/** What `clientAddress` answers for a request from `peer` with these headers. */
async function addressOf(
  peer: string | undefined,
  headers: Record<string, string>,
  trustedProxies: number,
): Promise<string> {
  const app = new Hono();
  app.get('/', (c) => c.text(clientAddress(c, trustedProxies)));
  const env = peer === undefined ? undefined : { incoming: { socket: { remoteAddress: peer } } };
  const res = await app.request('/', { headers }, env);
  return res.text();
}

describe('clientAddress', () => {
  it('is the socket peer, X-Forwarded-For ignored, when no proxy is trusted', async () => {
    expect(await addressOf('203.0.113.7', { 'x-forwarded-for': '198.51.100.1' }, 0)).toBe(
      '203.0.113.7',
    );
  });

  it('is "unknown" without a socket (app.request in tests)', async () => {
    expect(await addressOf(undefined, {}, 0)).toBe(UNKNOWN_ADDRESS);
  });

  it('reads X-Forwarded-For right to left, past the trusted proxies only', async () => {
    const xff = { 'x-forwarded-for': '6.6.6.6, 198.51.100.1, 10.0.0.2' };
    // One proxy: it is the socket's peer, and the last entry is the address it saw.
    expect(await addressOf('10.0.0.1', xff, 1)).toBe('10.0.0.2');
    expect(await addressOf('10.0.0.1', xff, 2)).toBe('198.51.100.1');
    // A client-written entry is read only when more proxies are trusted than there are.
    expect(await addressOf('10.0.0.1', xff, 3)).toBe('6.6.6.6');
    expect(await addressOf('10.0.0.1', xff, 9)).toBe('6.6.6.6');
    expect(await addressOf('10.0.0.1', {}, 1)).toBe('10.0.0.1');
  });

  it('joins repeated X-Forwarded-For headers in order', async () => {
    const headers = new Headers();
    headers.append('x-forwarded-for', '6.6.6.6');
    headers.append('x-forwarded-for', '198.51.100.1');
    const app = new Hono();
    app.get('/', (c) => c.text(clientAddress(c, 1)));
    const res = await app.request(
      '/',
      { headers },
      { incoming: { socket: { remoteAddress: '10.0.0.1' } } },
    );
    expect(await res.text()).toBe('198.51.100.1');
  });
});

describe('bucketOf', () => {
  it('keeps IPv4, unmaps IPv4-mapped IPv6 and drops ports', () => {
    expect(bucketOf('203.0.113.7')).toBe('203.0.113.7');
    expect(bucketOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(bucketOf('203.0.113.7:5555')).toBe('203.0.113.7');
    expect(bucketOf('[2001:db8::1]:443')).toBe('2001:db8:0:0::/64');
  });

  it('keys IPv6 by its /64', () => {
    expect(bucketOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(bucketOf('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(bucketOf('::1')).toBe('0:0:0:0::/64');
    expect(bucketOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(bucketOf('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('keeps anything else as given', () => {
    expect(bucketOf('unknown')).toBe('unknown');
    expect(bucketOf('not an address')).toBe('not an address');
  });
});
