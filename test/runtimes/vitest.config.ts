/**
 * The core's own tests (core/**\/*.test.ts, on the memory adapters) outside
 * Node: `core` runs them in whatever runtime runs vitest itself (Bun, Deno),
 * `core-chromium` in a headless Chromium page (vitest's browser mode, the
 * machine's /usr/bin/chromium driven through playwright). Run by
 * test/runtimes/run.sh; every test file checks first that it runs where it
 * should (expect-runtime.ts).
 */
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

const root = new URL('../../', import.meta.url).pathname;
const setupFiles = ['test/runtimes/expect-runtime.ts'];

export default defineConfig({
  test: {
    root,
    projects: [
      {
        test: {
          name: 'core',
          root,
          include: ['core/**/*.test.ts'],
          setupFiles,
          provide: { expectedRuntime: process.env.EXPECT_RUNTIME ?? 'node' },
        },
      },
      {
        // libsignal is a native addon: the page gets a plain-JavaScript stand-in,
        // checked against the real library by libsignal-stand-in.test.ts.
        // So is node:crypto, which the verification codes' HMAC adapter uses.
        resolve: {
          alias: [
            {
              find: '@signalapp/libsignal-client',
              replacement: `${root}test/runtimes/libsignal-stand-in.ts`,
            },
            {
              find: /^.*\/adapters\/crypto\/hmac-verification-codes\.js$/,
              replacement: `${root}test/runtimes/verification-codes-stand-in.ts`,
            },
          ],
        },
        test: {
          name: 'core-chromium',
          root,
          include: ['core/**/*.test.ts'],
          setupFiles,
          provide: { expectedRuntime: 'chromium' },
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
                args: [
                  '--headless',
                  '--no-sandbox',
                  '--disable-gpu',
                  '--disable-background-networking',
                  '--disable-component-update',
                  '--no-first-run',
                ],
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
