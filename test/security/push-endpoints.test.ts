/**
 * Push endpoints are URLs clients choose, so no registration may aim the
 * server's requests at its own network (SECURITY.md, docs/API.md "Push
 * notifications"): the registration refuses non-https URLs, IP literals and
 * local names, and the Web Push agent refuses names that resolve to special
 * addresses.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryPushSender } from '../../adapters/memory/push-sender.js';
import { isSpecialAddress } from '../../adapters/push/web-push-provider.js';
import { call, createTestApp, registerUser } from '../support/http.js';

const keys = { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) };

describe('push endpoint rules', () => {
  it('refuses endpoints that are not a push service host over https', async () => {
    const { app } = await createTestApp({
      deps: { pushes: createMemoryPushSender({ kinds: ['webpush', 'unifiedpush'] }) },
    });
    const user = await registerUser(app);
    const put = (endpoint: string) =>
      call(app, 'PUT', '/api/auth/sessions/current/push', {
        token: user.token,
        json: { kind: 'webpush', endpoint, keys },
      });
    for (const endpoint of [
      'http://push.example.net/x',
      'https://localhost/x',
      'https://api.localhost/x',
      'https://127.0.0.1/x',
      'https://2130706433/x',
      'https://0x7f.1/x',
      'https://10.1.2.3/x',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://metadata/x',
      'https://user:pw@push.example.net/x',
      'file:///etc/passwd',
      'not a url',
    ]) {
      const res = await put(endpoint);
      expect(res.status, endpoint).toBe(400);
      expect(res.body.error.details[0].path, endpoint).toBe('endpoint');
    }
    expect((await put('https://fcm.googleapis.com/fcm/send/abc')).status).toBe(204);
    const unified = await call(app, 'PUT', '/api/auth/sessions/current/push', {
      token: user.token,
      json: { kind: 'unifiedpush', endpoint: 'https://ntfy.example.org/up123', keys },
    });
    expect(unified.status).toBe(204);
  });

  it('refuses malformed keys and tokens at their field', async () => {
    const { app } = await createTestApp({
      deps: { pushes: createMemoryPushSender({ kinds: ['webpush', 'apns', 'fcm'] }) },
    });
    const user = await registerUser(app);
    const put = (json: unknown) =>
      call(app, 'PUT', '/api/auth/sessions/current/push', { token: user.token, json });
    const bad = [
      [
        { kind: 'webpush', endpoint: 'https://p.example.net/x', keys: { ...keys, auth: 'x' } },
        'keys.auth',
      ],
      [{ kind: 'apns', token: 'zz', environment: 'sandbox' }, 'token'],
      [{ kind: 'apns', token: 'ab'.repeat(32), environment: 'staging' }, 'environment'],
      [{ kind: 'fcm', token: 'has space' }, 'token'],
      [{ kind: 'gcm', token: 't' }, 'kind'],
    ] as const;
    for (const [json, path] of bad) {
      const res = await put(json);
      expect(res.status, path).toBe(400);
      expect(
        res.body.error.details.map((d: { path: string }) => d.path),
        path,
      ).toContain(path);
    }
    expect(
      (
        await put({
          kind: 'apns',
          token: 'AB'.repeat(32),
          voipToken: 'cd'.repeat(32),
          environment: 'production',
        })
      ).status,
    ).toBe(204);
  });

  it('knows the addresses no push service has', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.8',
      '172.20.1.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      'nonsense',
    ]) {
      expect(isSpecialAddress(address), address).toBe(true);
    }
    for (const address of ['142.250.74.110', '2a00:1450:4001:82a::200a', '8.8.8.8']) {
      expect(isSpecialAddress(address), address).toBe(false);
    }
  });
});
