import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { describe, expect, it } from 'vitest';
import { JSON_CONTENT_SECURITY_POLICY, SECURE_RESPONSE_HEADERS } from './security-headers.js';

describe('SECURE_RESPONSE_HEADERS', () => {
  it('are exactly what hono/secure-headers sets with X-Frame-Options DENY, plus the JSON CSP', async () => {
    const reference = new Hono();
    reference.use(secureHeaders({ xFrameOptions: 'DENY' }));
    reference.get('/', (c) => c.body(null, 204));
    const res = await reference.request('/');
    const expected = Object.fromEntries(res.headers);
    expected['content-security-policy'] = JSON_CONTENT_SECURITY_POLICY;
    const ours = Object.fromEntries(
      SECURE_RESPONSE_HEADERS.map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(ours).toEqual(expected);
  });
});
