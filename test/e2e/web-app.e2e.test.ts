/**
 * The web app (apps/web) in a real browser: Debian's Chromium with fake
 * camera and microphone, two browser contexts — Alice and Bob — against one
 * started server. They sign up, find each other and chat live; Alice calls
 * Bob with video, and on both sides `getStats()` shows video frames decoded
 * and audio bytes received rising for over 3 s; the histories show the
 * completed call with its duration, then a declined and a missed call.
 * Bob sees Alice typing, and it clears when she idles, clears or sends. Bob
 * reloads and sees what he missed, once. Throughout: no console error, no
 * request off the server's origin, and axe-core finds no serious or
 * critical violation. Screenshots of each step go to `.tmp/screenshots/web/`;
 * three of them are committed under docs/screenshots/ (README).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../apps/server/start-server.js';
import { browserTestsRun, FAKE_MEDIA_ARGS, launchChromium } from '../support/chromium.js';
import { startTestServer } from '../support/start-test-server.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, '.tmp/screenshots/web');
const run = promisify(execFile);

interface Person {
  readonly name: string;
  readonly phone: string;
  readonly context: BrowserContext;
  page: Page;
  readonly problems: string[];
  readonly requests: string[];
}

/** What the page's peer connections report, summed over inbound streams. */
interface Inbound {
  framesDecoded: number;
  audioBytes: number;
}

describe.skipIf(!browserTestsRun('web-app.e2e'))('the web app, two people in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let origin: string;
  let alice: Person;
  let bob: Person;

  async function person(name: string, phone: string): Promise<Person> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    context.setDefaultTimeout(15_000);
    // Keep every RTCPeerConnection the app makes, for getStats().
    await context.addInitScript(`
      window.__pcs = [];
      window.RTCPeerConnection = class extends window.RTCPeerConnection {
        constructor(configuration) { super(configuration); window.__pcs.push(this); }
      };
    `);
    const p: Person = {
      name,
      phone,
      context,
      page: await context.newPage(),
      problems: [],
      requests: [],
    };
    watch(p, p.page);
    return p;
  }

  function watch(p: Person, page: Page): void {
    page.on('request', (request) => p.requests.push(request.url()));
    page.on('pageerror', (error) => p.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') p.problems.push(`console: ${message.text()}`);
    });
  }

  async function shot(p: Person, name: string): Promise<void> {
    await p.page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  /** axe-core in the page: no serious or critical violation. */
  async function accessible(p: Person, step: string): Promise<void> {
    const source = await readFile(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
    // Evaluated, not injected as a <script>: the page's CSP allows none but its own.
    const violations = (await p.page.evaluate(
      `(async () => { ${source}; const r = await axe.run(document); return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.help + ' ' + v.nodes.map((n) => n.target.join(' ')).join(', ')); })()`,
    )) as string[];
    expect(violations, `${p.name}, ${step}`).toEqual([]);
  }

  async function signUp(p: Person): Promise<void> {
    await p.page.goto(`${origin}/`);
    await p.page.getByRole('button', { name: 'Create account' }).click();
    await p.page.getByLabel('Phone number').fill(p.phone);
    await p.page.getByLabel('Display name').fill(p.name);
    await p.page.getByLabel('Password').fill('correct horse battery');
    await p.page.locator('form').getByRole('button', { name: 'Create account' }).click();
    await p.page.getByRole('status').filter({ hasText: 'Online' }).waitFor();
  }

  async function inbound(p: Person): Promise<Inbound> {
    return p.page.evaluate(`(async () => {
      const pc = window.__pcs.at(-1);
      const out = { framesDecoded: 0, audioBytes: 0 };
      if (pc === undefined) return out;
      (await pc.getStats()).forEach((report) => {
        if (report.type !== 'inbound-rtp') return;
        if (report.kind === 'video') out.framesDecoded += report.framesDecoded ?? 0;
        if (report.kind === 'audio') out.audioBytes += report.bytesReceived ?? 0;
      });
      return out;
    })()`);
  }

  const overlay = (p: Person) => p.page.locator('.call-overlay');

  async function openCalls(p: Person): Promise<void> {
    await p.page.getByRole('navigation').getByRole('button', { name: 'Calls' }).click();
  }

  async function openChats(p: Person): Promise<void> {
    await p.page.getByRole('navigation').getByRole('button', { name: 'Chats' }).click();
  }

  beforeAll(async () => {
    // The bundle the server serves, built as `npm start` builds it.
    await run(process.execPath, [join(ROOT, 'apps/web/build.mjs')], { cwd: ROOT });
    await mkdir(SHOTS, { recursive: true });
    server = await startTestServer();
    origin = new URL(server.url).origin;
    browser = await launchChromium(FAKE_MEDIA_ARGS);
    alice = await person('Alice', '+15550170001');
    bob = await person('Bob', '+15550170002');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page with a same-origin CSP', async () => {
    const response = await fetch(`${origin}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|unsafe-inline|unsafe-eval/);
  });

  it('signs both up; they find each other and chat live', async () => {
    await signUp(alice);
    await shot(alice, '01-signed-in');
    await signUp(bob);

    // Alice finds Bob by phone number and writes.
    await alice.page.getByLabel('Phone number or username').fill(bob.phone);
    await alice.page.getByRole('button', { name: 'Search' }).click();
    await alice.page.getByRole('button', { name: 'Message Bob' }).click();
    await alice.page.getByLabel('Message to Bob').fill('Hello Bob');
    await alice.page.getByRole('button', { name: 'Send' }).click();

    // Bob, without reloading: the conversation appears with an unread badge.
    // Not read yet: one tick.
    await alice.page
      .locator('.message.mine', { hasText: 'Hello Bob' })
      .locator('.tick[data-read="false"]')
      .waitFor();
    const fromAlice = bob.page.getByRole('button', { name: /^Alice.*1 unread.*Hello Bob/ });
    await fromAlice.waitFor({ timeout: 10_000 });
    await shot(bob, '02-unread');
    // Bob's socket acknowledged it: delivered (message-delivered, live), still unread.
    await alice.page
      .locator('.message.mine', { hasText: 'Hello Bob' })
      .locator('.tick[data-state="delivered"]')
      .getByText('✓✓ Delivered')
      .waitFor({ timeout: 10_000 });
    await fromAlice.click();
    const bobMessages = bob.page.getByRole('list', { name: 'Messages with Alice' });
    await bobMessages.getByText('Hello Bob').waitFor();

    // Bob has it open: Alice's message shows read (messages-read, live).
    await alice.page
      .locator('.message.mine', { hasText: 'Hello Bob' })
      .locator('.tick[data-state="read"]')
      .getByText('✓✓ Read')
      .waitFor({ timeout: 10_000 });

    // Live both ways in the open chat.
    // Typing: Bob sees it in the chat (a polite live region) and in his list.
    const aliceInput = alice.page.getByLabel('Message to Bob');
    const bobTyping = bob.page.locator('.typing-indicator');
    const typingShown = () => bobTyping.getByText('Alice is typing…').waitFor({ timeout: 10_000 });
    const typingCleared = (timeout: number) =>
      expect.poll(() => bobTyping.textContent(), { timeout }).toBe('');
    await aliceInput.pressSequentially('Never mind', { delay: 30 });
    await typingShown();
    expect(await bobTyping.getAttribute('aria-live')).toBe('polite');
    await bob.page.getByRole('button', { name: /^Alice.*typing…/ }).waitFor();
    await shot(bob, '03-typing');
    // Alice stops: her idle timer (4 s) ends it, before the server's 6 s cut-off.
    const stopped = Date.now();
    await typingCleared(5_500);
    expect(Date.now() - stopped).toBeLessThan(5_500);
    await bob.page.getByRole('button', { name: /^Alice.*Hello Bob/ }).waitFor();
    // Typing again, then clearing the draft ends it at once.
    await aliceInput.pressSequentially(' then', { delay: 30 });
    await typingShown();
    await aliceInput.fill('');
    await typingCleared(2_000);
    // Typing, then sending: the message replaces the indicator.
    await aliceInput.pressSequentially('Are you there?', { delay: 20 });
    await typingShown();
    await alice.page.getByRole('button', { name: 'Send' }).click();
    await bobMessages.getByText('Are you there?').waitFor();
    await typingCleared(2_000);
    await bob.page.getByLabel('Message to Alice').fill('Hi Alice!');
    await bob.page.getByRole('button', { name: 'Send' }).click();
    await alice.page
      .getByRole('list', { name: 'Messages with Bob' })
      .getByText('Hi Alice!')
      .waitFor();
    // Each message once on each side (no echo of one's own send).
    await expect.poll(() => alice.page.locator('.message').count(), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => bob.page.locator('.message').count(), { timeout: 10_000 }).toBe(3);

    await shot(alice, '03-chat');
    await accessible(alice, 'chat');
    await accessible(bob, 'chat');
  });

  it('video call: both sides decode video and receive audio for over 3 s; hang up; both histories show it completed', async () => {
    await alice.page.getByRole('button', { name: 'Video call' }).click();
    const incoming = bob.page.getByRole('alertdialog', { name: 'Alice is calling (video)' });
    await incoming.waitFor({ timeout: 10_000 });
    await shot(bob, '04-incoming-call');
    await accessible(bob, 'incoming call');
    await incoming.getByRole('button', { name: 'Accept' }).click();

    for (const p of [alice, bob]) {
      await p.page
        .locator('.call-overlay[data-call-state="connected"]')
        .waitFor({ timeout: 20_000 });
    }
    // Rising on both sides at every sample over 3.5 s.
    const samples: Record<string, Inbound[]> = { Alice: [], Bob: [] };
    for (let i = 0; i < 4; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1_200));
      for (const p of [alice, bob]) samples[p.name]!.push(await inbound(p));
    }
    for (const [name, list] of Object.entries(samples)) {
      for (let i = 1; i < list.length; i++) {
        expect(list[i]!.framesDecoded, `${name} frames, sample ${i}`).toBeGreaterThan(
          list[i - 1]!.framesDecoded,
        );
        expect(list[i]!.audioBytes, `${name} audio bytes, sample ${i}`).toBeGreaterThan(
          list[i - 1]!.audioBytes,
        );
      }
    }
    // Mute and camera off are toggles the page shows as pressed.
    await alice.page.getByRole('button', { name: 'Mute' }).click();
    await expect
      .poll(() => alice.page.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'), {
        timeout: 10_000,
      })
      .toBe('true');
    await alice.page.getByRole('button', { name: 'Unmute' }).click();
    await shot(alice, '05-in-call');
    await accessible(alice, 'in call');

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await expect
      .poll(() => overlay(bob).getAttribute('data-call-state'), { timeout: 10_000 })
      .toBe('ended');
    await expect
      .poll(() => overlay(alice).getAttribute('data-call-state'), { timeout: 10_000 })
      .toBe('ended');

    for (const p of [alice, bob]) {
      await openCalls(p);
      const row = p.page.locator('.call-row').first();
      await expect
        .poll(() => row.getAttribute('data-status'), { timeout: 10_000 })
        .toBe('completed');
      await expect
        .poll(() => row.locator('.status').textContent(), { timeout: 10_000 })
        .toBe('Completed');
      const duration = (await row.locator('.duration').textContent()) ?? '';
      const [minutes, seconds] = duration
        .replace(/^\s*·\s*/, '')
        .split(':')
        .map(Number);
      expect((minutes ?? 0) * 60 + (seconds ?? 0), `${p.name}: ${duration}`).toBeGreaterThanOrEqual(
        3,
      );
    }
    await shot(bob, '06-history-completed');
  });

  it('a declined call and a missed call show as such', async () => {
    for (const p of [alice, bob]) await openChats(p);
    // Declined.
    await alice.page.getByRole('button', { name: 'Audio call' }).click();
    const incoming = bob.page.getByRole('alertdialog', { name: 'Alice is calling (audio)' });
    await incoming.getByRole('button', { name: 'Decline' }).click();
    await expect
      .poll(() => overlay(alice).getByRole('heading').textContent(), { timeout: 10_000 })
      .toBe('Call declined');
    await alice.page.getByRole('button', { name: 'Close' }).click();
    // Missed: Alice gives up before Bob answers.
    await alice.page.getByRole('button', { name: 'Audio call' }).click();
    await bob.page.getByRole('alertdialog', { name: 'Alice is calling (audio)' }).waitFor();
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await expect
      .poll(() => overlay(bob).getByRole('heading').textContent(), { timeout: 10_000 })
      .toBe('Missed call');

    for (const p of [alice, bob]) {
      await openCalls(p);
      const rows = p.page.locator('.call-row');
      await expect
        .poll(() => rows.nth(0).getAttribute('data-status'), { timeout: 10_000 })
        .toBe('missed');
      await expect
        .poll(() => rows.nth(0).locator('.status').textContent(), { timeout: 10_000 })
        .toBe('Missed');
      await expect
        .poll(() => rows.nth(1).getAttribute('data-status'), { timeout: 10_000 })
        .toBe('rejected');
      await expect
        .poll(() => rows.nth(1).locator('.status').textContent(), { timeout: 10_000 })
        .toBe('Declined');
    }
    await shot(bob, '07-history-declined-missed');
    await accessible(bob, 'call history');
  });

  it('Bob comes back after a reload and sees what he missed, once', async () => {
    for (const p of [alice, bob]) await openChats(p);
    await bob.page.goto('about:blank');
    for (const text of ['While you were away 1', 'While you were away 2']) {
      await alice.page.getByLabel('Message to Bob').fill(text);
      await alice.page.getByRole('button', { name: 'Send' }).click();
      await alice.page.getByRole('list', { name: 'Messages with Bob' }).getByText(text).waitFor();
    }
    await bob.page.goto(`${origin}/`);
    const messages = bob.page.getByRole('list', { name: 'Messages with Alice' });
    await messages.getByText('While you were away 2').waitFor();
    await bob.page.getByRole('status').filter({ hasText: 'Online' }).waitFor();
    await bob.page.reload();
    await messages.getByText('While you were away 2').waitFor();
    await bob.page.getByRole('status').filter({ hasText: 'Online' }).waitFor();
    const texts = await bob.page.locator('.message .content').allTextContents();
    expect(texts).toEqual([
      'Hello Bob',
      'Are you there?',
      'Hi Alice!',
      'While you were away 1',
      'While you were away 2',
    ]);
    await shot(bob, '08-after-reload');
  });

  it('Bob deletes his account; Alice keeps the conversation, shown as a deleted account', async () => {
    await bob.page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
    await accessible(bob, 'settings');
    await bob.page.getByRole('button', { name: 'Delete account…' }).click();
    await bob.page.getByLabel('Password to confirm').fill('correct horse battery');
    await bob.page.getByRole('button', { name: 'Delete my account' }).click();
    await bob.page.getByRole('status').filter({ hasText: 'Your account was deleted.' }).waitFor();
    await bob.page.getByRole('button', { name: 'Create account' }).waitFor();

    await alice.page.reload();
    await alice.page
      .getByRole('button', { name: /^Deleted account.*While you were away 2/ })
      .waitFor();
    await shot(alice, '09-deleted-account');
    await alice.page.getByText('This account was deleted.').waitFor();
    await expect
      .poll(() => alice.page.locator('.message .content').count(), { timeout: 10_000 })
      .toBe(5);
  });

  it('made no request off the origin and logged no error', () => {
    for (const p of [alice, bob]) {
      const offOrigin = p.requests.filter(
        (url) =>
          !url.startsWith('data:') && !url.startsWith('about:') && new URL(url).origin !== origin,
      );
      expect(offOrigin, p.name).toEqual([]);
      expect(p.requests.length, p.name).toBeGreaterThan(5);
      expect(p.problems, p.name).toEqual([]);
    }
  });
});
