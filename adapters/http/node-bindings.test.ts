/**
 * `presetHeaderBlock` on real Node responses: it fills Node's header table
 * directly on this Node, and the answer must carry exactly what the same
 * headers set one by one with `setHeader` give.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { describe, expect, it } from 'vitest';
import { HEADER_BLOCK_DIRECT, headerBlock, presetHeaderBlock } from './node-bindings.js';
import { SECURE_RESPONSE_HEADERS } from './security-headers.js';

const block = headerBlock(SECURE_RESPONSE_HEADERS);

function response(): { c: Context; outgoing: ServerResponse } {
  const outgoing = new ServerResponse(new IncomingMessage(null as never));
  return { c: { env: { outgoing } } as unknown as Context, outgoing };
}

/** The header section `writeHead` stores for the answer (what goes on the wire). */
function written(outgoing: ServerResponse): string {
  outgoing.sendDate = false;
  outgoing.writeHead(200, { 'content-type': 'application/json', 'Content-Length': 2 });
  return (outgoing as unknown as { _header: string })._header;
}

describe('presetHeaderBlock', () => {
  it("fills Node's header table directly on this Node", () => {
    expect(HEADER_BLOCK_DIRECT).toBe(true);
  });

  it('writes the very header section that setHeader one by one writes, in the same order', () => {
    const direct = response();
    presetHeaderBlock(direct.c, ['X-Request-Id', 'r-1'], block, ['Cache-Control', 'no-store']);
    const reference = response();
    reference.outgoing.setHeader('X-Request-Id', 'r-1');
    for (const [name, value] of SECURE_RESPONSE_HEADERS) reference.outgoing.setHeader(name, value);
    reference.outgoing.setHeader('Cache-Control', 'no-store');
    expect(direct.outgoing.getHeaders()).toEqual(reference.outgoing.getHeaders());
    expect(written(direct.outgoing)).toBe(written(reference.outgoing));
  });

  it("lets the handler's headers win and answers for no inherited name", () => {
    const { c, outgoing } = response();
    presetHeaderBlock(c, ['X-Request-Id', 'r-1'], block, undefined);
    outgoing.setHeader('Content-Security-Policy', "default-src 'self'");
    expect(outgoing.getHeader('content-security-policy')).toBe("default-src 'self'");
    expect(outgoing.hasHeader('cache-control')).toBe(false);
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(outgoing.hasHeader(name), name).toBe(false);
      expect(outgoing.getHeader(name), name).toBeUndefined();
    }
    expect(written(outgoing)).toContain("Content-Security-Policy: default-src 'self'\r\n");
  });

  it('gives every answer pairs of its own: appending to one leaves the next untouched', () => {
    const first = response();
    presetHeaderBlock(first.c, undefined, block, undefined);
    first.outgoing.appendHeader('X-Frame-Options', 'SAMEORIGIN');
    expect(first.outgoing.getHeader('x-frame-options')).toEqual(['DENY', 'SAMEORIGIN']);
    const second = response();
    presetHeaderBlock(second.c, undefined, block, undefined);
    expect(second.outgoing.getHeader('x-frame-options')).toBe('DENY');
  });

  it('sets the headers one by one after another header was set, and then the block wins', () => {
    const { c, outgoing } = response();
    outgoing.setHeader('Connection', 'close');
    outgoing.setHeader('X-Frame-Options', 'SAMEORIGIN');
    presetHeaderBlock(c, ['X-Request-Id', 'r-2'], block, undefined);
    expect(outgoing.getHeader('connection')).toBe('close');
    expect(outgoing.getHeader('x-frame-options')).toBe('DENY');
    expect(outgoing.getHeader('x-request-id')).toBe('r-2');
  });

  it('refuses what setHeader refuses, in the block and in the loose headers', () => {
    expect(() => headerBlock([['Bad Name', 'x']])).toThrow();
    expect(() => headerBlock([['X-Ok', 'line\nbreak']])).toThrow();
    const { c } = response();
    expect(() => presetHeaderBlock(c, ['X-Request-Id', 'a\r\nb'], block, undefined)).toThrow();
  });

  it('sets the headers through Hono without a Node response', () => {
    const set: [string, string][] = [];
    const c = { env: {}, header: (name: string, value: string) => set.push([name, value]) };
    presetHeaderBlock(c as unknown as Context, ['X-Request-Id', 'r-3'], block, [
      'Cache-Control',
      'no-store',
    ]);
    expect(set).toEqual([
      ['X-Request-Id', 'r-3'],
      ...SECURE_RESPONSE_HEADERS,
      ['Cache-Control', 'no-store'],
    ]);
  });
});
