/**
 * The compiled package, as the image and `npm start` run it and as another
 * program would import it: `tsc -p tsconfig.build.json` into a temporary
 * copy of the package (its package.json, dist/, examples/, and a link to
 * node_modules), then, with plain `node` and no loader: the embedding
 * example against the `./core` and `./memory` exports, a TypeScript consumer
 * type-checked against the emitted declarations, and the server itself
 * answering `/readyz`.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
};

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'my-calls-package-'));
  await run(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      join(dir, 'dist'),
      '--tsBuildInfoFile',
      join(dir, 'tsbuildinfo'),
    ],
    { cwd: ROOT },
  );
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
}, 240_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('the compiled package', () => {
  it('exports the core and the memory adapters, each with its declarations', () => {
    for (const entry of ['./core', './memory']) {
      const target = pkg.exports[entry];
      if (typeof target !== 'object') throw new Error(`${entry} has no types/default targets`);
      expect(readFileSync(join(dir, target.default), 'utf8')).toMatch(/^export /m);
      expect(readFileSync(join(dir, target.types), 'utf8')).toMatch(/^export /m);
    }
  });

  it('runs the embedding example with plain node: two users, a message, a bundle published and fetched', async () => {
    const { stdout } = await run(process.execPath, ['examples/embed-core.mjs'], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({
      users: ['Alice', 'Bob'],
      message: { from: 'Alice', content: 'Hello Bob' },
      published: { count: 1, kyberCount: 1 },
      fetched: { registrationId: 4242, oneTimePreKey: 1, kyberPreKey: 2 },
    });
  });

  it('types a consumer of the exports from the emitted declarations', async () => {
    writeFileSync(
      join(dir, 'consumer.ts'),
      [
        "import { type Deps, register, type Session } from 'my-calls-backend/core';",
        "import { createMemoryDeps } from 'my-calls-backend/memory';",
        'declare const secrets: Pick<Deps, "passwords" | "tokens" | "signatures">;',
        'const deps: Deps = createMemoryDeps(secrets);',
        "export const session: Promise<Session> = register(deps, { phoneNumber: '+15550100001', username: null, displayName: 'A', password: 'x' });",
        '// @ts-expect-error: the input is checked against the emitted types',
        'export const wrong = register(deps, { phoneNumber: 15550100001 });',
        '',
      ].join('\n'),
    );
    await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2023',
        '--skipLibCheck',
        '--types',
        'node',
        'consumer.ts',
      ],
      { cwd: dir },
    );
  }, 60_000);

  it('serves /readyz from the compiled entry point with no loader', async () => {
    const port = await freePort();
    const server = spawn(process.execPath, ['dist/apps/server/main.js'], {
      cwd: dir,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        MONGODB_URI: '',
        REDIS_URL: '',
      },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => server.once('exit', resolve));
    try {
      let status = 0;
      for (let attempt = 0; attempt < 600 && status !== 200; attempt++) {
        status = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(200);
      expect(server.exitCode).toBeNull();
    } finally {
      server.kill('SIGTERM');
      await exited;
    }
  }, 90_000);
});
