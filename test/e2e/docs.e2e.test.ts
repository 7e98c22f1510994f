/**
 * `GET /docs` in a real browser (API.md §9): Debian's Chromium, headless,
 * driven by playwright-core, loads the page from a started server and must
 * render every operation of /openapi.json without a single request leaving
 * 127.0.0.1. A screenshot goes to `.tmp/screenshots/docs.png` (gitignored).
 * Without Chromium the file is skipped with a message — except under
 * `CI=true`, where a missing browser fails it (test/support/chromium.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { browserTestsRun, launchChromium } from '../support/chromium.js';
import { startTestServer } from '../support/start-test-server.js';

const SCREENSHOT = join(import.meta.dirname, '../../.tmp/screenshots/docs.png');

describe.skipIf(!browserTestsRun('docs.e2e'))('GET /docs in headless Chromium', () => {
  let server: RunningServer;
  let chromium: Browser;
  let browser: BrowserContext;

  beforeAll(async () => {
    server = await startTestServer();
    // A fresh context: no profile, cache or cookies of an earlier run.
    chromium = await launchChromium();
    browser = await chromium.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('renders every operation, fetching nothing but our own origin', async () => {
    const origin = new URL(server.url).origin;
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const expected = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );

    const page = await browser.newPage();
    const requested: string[] = [];
    const failed: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfailed', (request) => failed.push(request.url()));
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });

    const response = await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    await page.waitForFunction(
      `document.querySelectorAll('.opblock').length >= ${expected.length}`,
      undefined,
      { timeout: 20_000 },
    );

    const rendered = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method.trim().toUpperCase()} ${path}`;
      }),
    );
    expect(rendered.sort()).toEqual([...expected].sort());
    for (const route of ['POST /api/auth/register', 'GET /api/keys/{userId}/bundle', 'GET /docs']) {
      expect(rendered).toContain(route);
    }
    await expect(page.locator('.info .title').textContent()).resolves.toContain('My Calls API');

    // Open one operation: its request body schema renders from the document.
    await page.locator('#operations-Auth-register .opblock-summary').click();
    await page.locator('#operations-Auth-register .opblock-body').waitFor();
    await expect(
      page.locator('#operations-Auth-register .opblock-body').textContent(),
    ).resolves.toContain('phoneNumber');

    await mkdir(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const network = requested.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(network.length).toBeGreaterThanOrEqual(4);
    expect(network.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(network).toContain(`${origin}/openapi.json`);
    expect(failed).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
