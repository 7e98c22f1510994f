import { describe, expect, it } from 'vitest';
import { countUtf8Bytes, frameBytes } from './push.js';

describe('frame sizes', () => {
  it('counts UTF-8 bytes as Node does, where there is no Buffer', () => {
    for (const text of [
      '',
      'plain',
      'é',
      '€uro',
      '😀 emoji',
      'a\uD800b',
      '\uDC00',
      'x'.repeat(70_000),
    ]) {
      expect(countUtf8Bytes(text)).toBe(Buffer.byteLength(text));
    }
  });

  it('adds the frame header for each payload length band', () => {
    expect(frameBytes('x'.repeat(125))).toBe(127);
    expect(frameBytes('x'.repeat(126))).toBe(130);
    expect(frameBytes('x'.repeat(65_536))).toBe(65_546);
  });
});
