/**
 * @module The product as users run it: `npm start` serves the build output
 * (`prestart` runs `npm run build`: tsc into dist/), so the bench builds it
 * once at the start of a run and starts the product, and every baseline made
 * of the product's own modules, from dist/. Run from the sources through
 * tsx instead, the product carried the loader's transform (esbuild's
 * `keepNames` wraps every named closure made per request in a `__name`
 * call), about a tenth more server CPU per request on the JSON route.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './proc.js';

export const DIST_DIR = join(REPO_ROOT, 'dist');

/** The product's entry point in dist/ (what `npm start` runs). */
export const DIST_MAIN = join(DIST_DIR, 'apps/server/main.js');

/**
 * The node flags `npm start` passes (package.json: `node <flags> dist/apps/server/main.js`),
 * so the bench starts the product with what users run; throws when the script has another shape.
 */
export const START_NODE_FLAGS: readonly string[] = (() => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    scripts: { start?: string };
  };
  const words = (pkg.scripts.start ?? '').split(' ');
  const flags = words.slice(1, -1);
  if (
    words[0] !== 'node' ||
    words.at(-1) !== relative(REPO_ROOT, DIST_MAIN) ||
    !flags.every((flag) => flag.startsWith('--'))
  ) {
    throw new Error(
      `npm start is not "node [--flags] ${relative(REPO_ROOT, DIST_MAIN)}": ${pkg.scripts.start}`,
    );
  }
  return flags;
})();

/** `npm run build`, as `npm start` runs it before serving; throws when it fails. */
export function buildProduct(): void {
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * The built module at `path` (relative to the repository root, `.js`), typed
 * as its source: `distModule<typeof import('../../apps/server/start-server.js')>('apps/server/start-server.js')`.
 */
export function distModule<T>(path: string): Promise<T> {
  return import(pathToFileURL(join(DIST_DIR, path)).href) as Promise<T>;
}
