/**
 * @module `GET /openapi.json`, `GET /asyncapi.json` and `GET /docs` (API.md §9):
 * the OpenAPI document, the AsyncAPI 3 document of the WebSocket, and an interactive reference (Swagger UI) that works without
 * internet. The page's scripts and styles come from the `swagger-ui-dist`
 * package in node_modules, served by us from a fixed list of file names (no
 * path ever reaches the file system); its CSP allows nothing but this origin.
 * No token needed.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { asyncApiDocument } from '../../wire/protocol-doc.js';
import { defineRoute, mountRoutes } from '../define-route.js';
import type { AppEnv } from '../env.js';
import { errorResponse } from '../error-handler.js';
import type { OpenApiDocument } from '../openapi-document.js';

export interface DocsRoutesOptions {
  /** Builds the document; called once, on the first request that needs it. */
  readonly document: () => Promise<OpenApiDocument>;
}

/** The page's own start-up script: Swagger UI on `/openapi.json`, nothing fetched elsewhere. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>My Calls API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" sizes="32x32" href="/docs/assets/favicon-32x32.png">
<link rel="icon" type="image/png" sizes="16x16" href="/docs/assets/favicon-16x16.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/docs-init.js"></script>
</body>
</html>
`;

/**
 * Only this origin; Swagger UI sets inline styles and its style sheet has
 * `data:` images. `connect-src 'self'` also keeps "Try it out" on this server.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const JS = 'text/javascript; charset=utf-8';

/** Every file `/docs/assets/:file` serves: name → package file (or our script) and type. */
const ASSETS = new Map<string, { readonly type: string; readonly file?: string }>([
  ['swagger-ui.css', { type: 'text/css; charset=utf-8', file: 'swagger-ui.css' }],
  ['swagger-ui-bundle.js', { type: JS, file: 'swagger-ui-bundle.js' }],
  ['favicon-32x32.png', { type: 'image/png', file: 'favicon-32x32.png' }],
  ['favicon-16x16.png', { type: 'image/png', file: 'favicon-16x16.png' }],
  ['docs-init.js', { type: JS }],
]);

/** The names `/docs/assets/:file` serves. */
export const DOCS_ASSET_NAMES: readonly string[] = [...ASSETS.keys()];

// The package's own name resolves from the sources and from the compiled dist/ alike.
const packageVersion = (
  createRequire(import.meta.url)('my-calls-backend/package.json') as { version: string }
).version;

const swaggerUiDir = dirname(
  createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'),
);

/** `/openapi.json`, `/asyncapi.json`, `/docs` and `/docs/assets/:file`. */
export function createDocsRoutes(options: DocsRoutesOptions): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  let document: Promise<OpenApiDocument> | undefined;
  const files = new Map<string, Promise<Uint8Array>>();
  let asyncApi: object | undefined;

  return mountRoutes(routes, [
    defineRoute({
      method: 'get',
      path: '/openapi.json',
      doc: {
        operationId: 'openApi',
        summary: 'This OpenAPI 3.1 document',
        responses: {
          200: {
            description: 'Generated from the routes and the schemas that validate them.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
      handler: async (c) => {
        document ??= options.document().catch((error: unknown) => {
          document = undefined;
          throw error;
        });
        c.header('Cache-Control', 'no-cache');
        return c.json(await document, 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/asyncapi.json',
      doc: {
        operationId: 'asyncApi',
        summary: 'The AsyncAPI 3 document of the WebSocket',
        description:
          'Every frame both ways, with its payload schema and an example, generated from the schemas the server validates frames with.',
        responses: {
          200: {
            description: 'An AsyncAPI 3.0 document.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
      handler: (c) => {
        asyncApi ??= asyncApiDocument(packageVersion);
        c.header('Cache-Control', 'no-cache');
        return c.json(asyncApi, 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      doc: {
        operationId: 'docs',
        summary: 'This interactive API reference (Swagger UI)',
        description:
          'Works without internet: its scripts and styles are served from `/docs/assets/`.',
        responses: {
          200: {
            description: 'An HTML page.',
            content: { 'text/html; charset=utf-8': { schema: { type: 'string' } } },
          },
        },
      },
      handler: (c) => {
        c.header('Cache-Control', 'no-cache');
        c.header('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
        return c.html(PAGE, 200);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/docs/assets/:file',
      doc: {
        operationId: 'docsAsset',
        summary: 'A script, style sheet or icon of the reference page',
        responses: {
          200: {
            description: 'The file.',
            content: {
              'text/javascript; charset=utf-8': { schema: { type: 'string' } },
              'text/css; charset=utf-8': { schema: { type: 'string' } },
              'image/png': { schema: { type: 'string', contentMediaType: 'image/png' } },
            },
          },
        },
        errors: ['NOT_FOUND'],
        pathParams: { file: "One of the page's own file names; anything else is a `404`." },
      },
      handler: async (c) => {
        const name = c.req.param('file');
        const asset = ASSETS.get(name);
        if (asset === undefined) return errorResponse(c, 'NOT_FOUND', `No docs asset ${name}.`);
        let body: Uint8Array;
        if (asset.file === undefined) {
          body = new TextEncoder().encode(INIT_SCRIPT);
        } else {
          const path = join(swaggerUiDir, asset.file);
          let bytes = files.get(path);
          if (bytes === undefined) {
            bytes = readFile(path).then((buffer) => new Uint8Array(buffer));
            bytes.catch(() => files.delete(path));
            files.set(path, bytes);
          }
          body = await bytes;
        }
        c.header('Content-Type', asset.type);
        // The files change only with the package version.
        c.header('Cache-Control', 'public, max-age=3600');
        return c.body(body as Uint8Array<ArrayBuffer>, 200);
      },
    }),
  ]);
}
