import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/support/http.js';
import { WEB_APP_CONTENT_SECURITY_POLICY } from './web.js';

const built = mkdtempSync(join(tmpdir(), 'web-app-'));
writeFileSync(join(built, 'index.html'), '<!doctype html><title>My Calls</title>');
writeFileSync(join(built, 'app.js'), 'console.log(1);');
writeFileSync(join(built, 'app.css'), 'body{}');
writeFileSync(join(built, 'secret.txt'), 'not served');
afterAll(() => rmSync(built, { recursive: true, force: true }));

describe('the web app routes', () => {
  it('serves the page at / with a CSP of this origin only', async () => {
    const { app } = await createTestApp({ http: { webDir: built } });
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(WEB_APP_CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    await expect(res.text()).resolves.toContain('My Calls');
    for (const directive of ["default-src 'none'", "script-src 'self'", "connect-src 'self'"]) {
      expect(WEB_APP_CONTENT_SECURITY_POLICY).toContain(directive);
    }
    expect(WEB_APP_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|https?:|\*/);
  });

  it('serves the script and style sheet, and nothing else of the folder', async () => {
    const { app } = await createTestApp({ http: { webDir: built } });
    const js = await app.request('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await app.request('/assets/app.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    for (const path of ['/assets/secret.txt', '/assets/index.html', '/assets/..%2Fsecret.txt']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });

  it('answers 404 NOT_FOUND with what to run when the app is not built', async () => {
    const { app } = await createTestApp({ http: { webDir: join(built, 'missing') } });
    const res = await app.request('/');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
      'npm run build',
    );
  });
});
