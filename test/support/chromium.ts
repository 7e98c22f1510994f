/**
 * @module Debian's Chromium, headless, driven by playwright-core, for the
 * browser tests (docs page, web app). Without Chromium the tests are
 * skipped with a message — except under `CI=true`, where a missing browser
 * fails them (.ci/run installs it with apt).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** No network of its own, no first-run or update traffic: every request a test sees is the page's. */
const QUIET_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--disable-sync',
  '--no-first-run',
];

/** Camera and microphone: granted without a prompt, fed by Chromium's test pattern and tone. */
export const FAKE_MEDIA_ARGS = [
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** Whether a browser test file should run; warns once when it is skipped. */
export function browserTestsRun(name: string): boolean {
  const hasChromium = existsSync(CHROMIUM);
  if (!hasChromium && !isCi()) {
    console.warn(
      `[${name}] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium). Under CI=true this fails.`,
    );
  }
  return hasChromium || isCi();
}

/** Launches Chromium; under CI without it, fails with what to install. */
export async function launchChromium(
  extraArgs: readonly string[] = [],
  options: LaunchOptions = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`CI needs Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...QUIET_ARGS, ...extraArgs],
    ...options,
  });
}
