import { describe, expect, it } from 'vitest';
import { withFields } from './with-fields.js';

describe('withFields', () => {
  it('copies the base and adds the fields, which win over the base', () => {
    const base = { type: 'read', upTo: 3, seq: 1 };
    const built = withFields(base, { seq: 2, at: 'now' });
    expect(built).toEqual({ type: 'read', upTo: 3, seq: 2, at: 'now' });
    expect(Object.keys(built)).toEqual(['type', 'upTo', 'seq', 'at']);
  });

  it('leaves the base as it was', () => {
    const base = { a: 1 };
    const built = withFields(base, { b: 2 });
    expect(base).toEqual({ a: 1 });
    expect(built).not.toBe(base);
  });
});
