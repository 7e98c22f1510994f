/**
 * Builds the web app (apps/web) into `dist/web/`: one ES module bundle
 * (`app.js`: the app, the SDK and Preact), its style sheet (`app.css`) and
 * `index.html`. esbuild, because it is already how tsx runs our TypeScript
 * and bundles, minifies and strips types in one fast step with no config
 * files; `npm run build` (so `npm start`) runs this after tsc. Fails when
 * the script the page loads is over its budget of 150 KB gzipped.
 *
 *   node apps/web/build.mjs [outdir]
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

/** The most JavaScript the page may load, gzipped (issue 17). */
export const JS_BUDGET_GZIP_BYTES = 150 * 1024;

/** Builds into `outdir` (default `dist/web/`); answers the script's sizes. */
export async function buildWeb(outdir = join(ROOT, 'dist', 'web')) {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { app: join(HERE, 'src', 'main.tsx') },
    outdir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(HERE, 'tsconfig.json'),
    logLevel: 'warning',
  });
  await copyFile(join(HERE, 'index.html'), join(outdir, 'index.html'));
  const js = await readFile(join(outdir, 'app.js'));
  const sizes = { jsBytes: js.length, jsGzipBytes: gzipSync(js, { level: 9 }).length };
  if (sizes.jsGzipBytes > JS_BUDGET_GZIP_BYTES) {
    throw new Error(
      `app.js is ${sizes.jsGzipBytes} bytes gzipped, over its budget of ${JS_BUDGET_GZIP_BYTES}.`,
    );
  }
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] === undefined ? undefined : resolve(process.argv[2]);
  const { jsBytes, jsGzipBytes } = await buildWeb(out);
  console.log(
    `web app built: app.js ${(jsBytes / 1024).toFixed(1)} KB, ${(jsGzipBytes / 1024).toFixed(1)} KB gzipped`,
  );
}
