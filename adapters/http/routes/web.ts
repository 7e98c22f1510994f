/**
 * @module `GET /` and `GET /assets/:file`: the web app (apps/web), served by
 * the server itself so that it works on the same origin, offline, with no
 * CDN. The files are the bundle `npm run build` writes to `dist/web/`; only
 * a fixed list of names is served (no path reaches the file system). The
 * page's CSP allows this origin only: scripts, styles, fetches and the
 * WebSocket (`'self'` covers `ws:`/`wss:` of the same host).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Context, Hono } from 'hono';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AppEnv } from '../env.js';
import { errorResponse } from '../error-handler.js';

/** The page's CSP: nothing but this origin; media arrives as MediaStreams, not URLs. */
export const WEB_APP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Every file the app is made of: name → content type. */
const FILES = new Map<string, string>([
  ['index.html', 'text/html; charset=utf-8'],
  ['app.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'text/css; charset=utf-8'],
]);

/** Where `npm run build` puts the bundle: `dist/web/` beside package.json (from the sources and dist/ alike). */
export const DEFAULT_WEB_DIR = join(
  dirname(createRequire(import.meta.url).resolve('my-calls-backend/package.json')),
  'dist',
  'web',
);

export interface WebRoutesOptions {
  /** The built app's folder; default `DEFAULT_WEB_DIR`. */
  readonly dir?: string;
}

export function createWebRoutes(options: WebRoutesOptions = {}): Hono<AppEnv> {
  const dir = options.dir ?? DEFAULT_WEB_DIR;
  const cache = new Map<string, Promise<Uint8Array>>();
  const read = (name: string): Promise<Uint8Array> => {
    let bytes = cache.get(name);
    if (bytes === undefined) {
      bytes = readFile(join(dir, name)).then((buffer) => new Uint8Array(buffer));
      // A missing build is not remembered: the next request looks again.
      bytes.catch(() => cache.delete(name));
      cache.set(name, bytes);
    }
    return bytes;
  };
  const serve = async (c: Context<AppEnv>, name: string) => {
    let body: Uint8Array;
    try {
      body = await read(name);
    } catch {
      return errorResponse(
        c,
        'NOT_FOUND',
        'The web app is not built: run `npm run build` (`npm start` does).',
      );
    }
    c.header('Content-Type', FILES.get(name) ?? 'application/octet-stream');
    // Rebuilt in place by `npm run build`: the browser revalidates every time.
    c.header('Cache-Control', 'no-cache');
    if (name === 'index.html') c.header('Content-Security-Policy', WEB_APP_CONTENT_SECURITY_POLICY);
    return c.body(body as Uint8Array<ArrayBuffer>, 200);
  };

  return mountRoutes(new Hono<AppEnv>(), [
    defineRoute({
      method: 'get',
      path: '/',
      doc: {
        operationId: 'webApp',
        summary: 'The web app: chat and calls in the browser',
        description:
          'Sign up, find people, chat and call, served from this origin (no CDN). Built by `npm run build` into `dist/web/`; `404 NOT_FOUND` until then.',
        responses: {
          200: {
            description: 'An HTML page.',
            content: { 'text/html; charset=utf-8': { schema: { type: 'string' } } },
          },
        },
        errors: ['NOT_FOUND'],
      },
      handler: (c) => serve(c, 'index.html'),
    }),
    defineRoute({
      method: 'get',
      path: '/assets/:file',
      doc: {
        operationId: 'webAppAsset',
        summary: "The web app's script or style sheet",
        responses: {
          200: {
            description: 'The file.',
            content: {
              'text/javascript; charset=utf-8': { schema: { type: 'string' } },
              'text/css; charset=utf-8': { schema: { type: 'string' } },
            },
          },
        },
        errors: ['NOT_FOUND'],
        pathParams: { file: '`app.js` or `app.css`; anything else is a `404`.' },
      },
      handler: (c) => {
        const name = c.req.param('file');
        if (name === 'index.html' || !FILES.has(name)) {
          return errorResponse(c, 'NOT_FOUND', `No web app asset ${name}.`);
        }
        return serve(c, name);
      },
    }),
  ]);
}
