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
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './proc.js';

export const DIST_DIR = join(REPO_ROOT, 'dist');

/** The product's entry point in dist/ (what `npm start` runs). */
export const DIST_MAIN = join(DIST_DIR, 'apps/server/main.js');

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
