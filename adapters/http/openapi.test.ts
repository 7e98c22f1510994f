import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import type * as v from 'valibot';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type ErrorCode, MAX_SYNC_LIMIT } from '../../core/index.js';
import {
  call,
  createTestApp,
  type RegisteredUser,
  registerUser,
  type TestHttpApp,
  UNKNOWN_ID,
} from '../../test/support/http.js';
import { STATUS_BY_CODE } from '../wire/errors.js';
import type { HttpMetrics } from '../wire/observation.js';
import type {
  BundleResponse,
  CallListResponse,
  ConversationListResponse,
  IceServersResponse,
  LookupResponse,
  MessageResponse,
  PoolCountsResponse,
  PresenceResponse,
  ProfileResponse,
  SessionResponse,
} from '../wire/schemas.js';
import type {
  serializeBundle,
  serializeCall,
  serializeContact,
  serializeConversation,
  serializeIceServers,
  serializeMessage,
  serializePoolCounts,
  serializePresence,
  serializeProfile,
  serializeSession,
} from '../wire/serialize.js';
import { DOCS_ASSET_NAMES, DOCS_CONTENT_SECURITY_POLICY } from './routes/docs.js';

// biome-ignore lint/suspicious/noExplicitAny: the document is read as plain JSON.
type Json = any;

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly doc: Json;
}

/** `/metrics` only exists with metrics; a stand-in that records nothing serves it. */
const noMetrics = new Proxy({} as HttpMetrics, {
  get: (_target, name) =>
    name === 'then'
      ? undefined
      : name === 'expose'
        ? async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' })
        : () => {},
});

let app: TestHttpApp;
let alice: RegisteredUser;
let document: Json;
let operations: Operation[];

beforeAll(async () => {
  ({ app } = await createTestApp({ http: { metrics: noMetrics } }));
  alice = await registerUser(app);
  const res = await call(app, 'GET', '/openapi.json');
  expect(res.status).toBe(200);
  document = res.body;
  operations = Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    Object.entries<Json>(item).map(([method, doc]) => ({ method, path, doc })),
  );
});

/** `/api/users/:userId/profile` → `/api/users/{userId}/profile`. */
function openApiPath(path: string): string {
  return path.replace(/:(\w+)/g, '{$1}');
}

/** A concrete URL for a documented path: every parameter an id no store handed out. */
/**
 * The token to send with `operation`: alice's, except for logout, which
 * would end her session for every later request; it gets a session of its own.
 */
async function tokenFor(operation: Operation): Promise<string> {
  if (operation.path !== '/api/auth/logout') return alice.token;
  const res = await call(app, 'POST', '/api/auth/login', {
    json: { phoneNumber: alice.phoneNumber, password: alice.password },
  });
  return res.body.token;
}

function concrete(path: string): string {
  return path.replace(/\{\w+\}/g, UNKNOWN_ID);
}

function codesOf(operation: Operation): Set<string> {
  const codes = new Set<string>();
  for (const response of Object.values<Json>(operation.doc.responses)) {
    const examples = response.content?.['application/json']?.examples ?? {};
    for (const code of Object.keys(examples)) codes.add(code);
  }
  return codes;
}

function label(operation: Operation): string {
  return `${operation.method.toUpperCase()} ${operation.path}`;
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
    expect(JSON.stringify(document)).not.toMatch(/"\$ref":"(?!#\/components\/)/);
  });

  it('needs no token and is generated once', async () => {
    const again = await call(app, 'GET', '/openapi.json');
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(again.body).toEqual(document);
  });

  it('documents every registered route with its method, and nothing else', () => {
    const registered = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL') // middleware (`use`)
        .map((route) => `${route.method} ${openApiPath(route.path)}`),
    );
    const documented = new Set(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`));
    const missing = [...registered].filter((route) => !documented.has(route));
    expect(
      missing,
      'routes missing from /openapi.json: define them with defineRoute (adapters/http/define-route.ts)',
    ).toEqual([]);
    expect([...documented].filter((route) => !registered.has(route))).toEqual([]);
    // §2–6 and §9, spelled out, so a route group cannot vanish from both sides at once.
    for (const route of [
      'POST /api/auth/register',
      'POST /api/auth/login',
      'GET /api/users/{userId}/profile',
      'GET /api/users/by-username/{username}',
      'POST /api/users/presence',
      'POST /api/users/lookup',
      'POST /api/chat/send',
      'GET /api/chat/conversations',
      'GET /api/chat/messages/{userId}',
      'POST /api/keys/publish',
      'GET /api/keys/{userId}/bundle',
      'GET /api/keys/onetime/count',
      'POST /api/keys/onetime/replenish',
      'GET /api/calls',
      'GET /api/calls/ice-servers',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /asyncapi.json',
      'GET /docs',
    ]) {
      expect(documented, route).toContain(route);
    }
  });

  it('gives every operation a unique id, a summary, a tag and a success answer', () => {
    const ids = operations.map((o) => o.doc.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const operation of operations) {
      expect(operation.doc.summary, label(operation)).toEqual(expect.any(String));
      expect(operation.doc.tags, label(operation)).toHaveLength(1);
      expect(
        Object.keys(operation.doc.responses).some((status) => status.startsWith('2')),
        label(operation),
      ).toBe(true);
    }
  });

  it('documents each error code at its status, with the shared error schema', () => {
    for (const operation of operations) {
      const listed: string[] = operation.doc['x-error-codes'];
      expect(listed, label(operation)).toContain('INTERNAL');
      for (const code of listed) {
        const response = operation.doc.responses[STATUS_BY_CODE[code as ErrorCode]];
        const media = response?.content?.['application/json'];
        expect(media?.schema, `${label(operation)} ${code}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
        expect(media.examples[code].value.error.code).toBe(code);
      }
      expect(codesOf(operation)).toEqual(new Set(listed));
    }
    expect(document.components.schemas.Error.properties.error.required).toEqual([
      'code',
      'message',
    ]);
  });

  it('declares both token schemes', () => {
    expect(document.components.securitySchemes).toEqual({
      bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      tokenHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-auth-token' }),
    });
  });

  it('carries the WebSocket protocol, frame schemas included, and points to docs/API.md', () => {
    expect(document.info.description).toContain('docs/API.md');
    expect(document['x-websocket'].clientEvents).toContain('call-user');
    expect(document['x-websocket'].serverEvents).toContain('presence-update');
    expect(document['x-websocket'].serverFrames['call-ringing'].payload.required).toEqual([
      'callId',
      'to',
    ]);
  });

  it('serves the AsyncAPI 3 document of the same frames at /asyncapi.json', async () => {
    const res = await call(app, 'GET', '/asyncapi.json');
    expect(res.status).toBe(200);
    expect(res.body.asyncapi).toBe('3.0.0');
    expect(Object.keys(res.body.components.messages)).toEqual(
      expect.arrayContaining(['client-call-user', 'server-call-ringing', 'server-error']),
    );
  });
});

describe('the document agrees with what the routes do', () => {
  it('documents the token and 401 exactly where a request without one gets 401', async () => {
    for (const operation of operations) {
      const res = await call(app, operation.method.toUpperCase(), concrete(operation.path));
      const refused = res.status === 401 && res.body.error.code === 'UNAUTHENTICATED';
      expect(codesOf(operation).has('UNAUTHENTICATED'), label(operation)).toBe(refused);
      expect(operation.doc.security, label(operation)).toEqual(
        refused ? [{ bearerAuth: [] }, { tokenHeader: [] }] : undefined,
      );
    }
  });

  it('documents a body, with 400/413/415, exactly where a route refuses a JSON array', async () => {
    for (const operation of operations) {
      if (operation.method === 'get') {
        expect(operation.doc.requestBody, label(operation)).toBeUndefined();
        continue;
      }
      const res = await call(app, operation.method.toUpperCase(), concrete(operation.path), {
        token: await tokenFor(operation),
        json: [],
      });
      const takesBody = res.status === 400 && res.body.error.code === 'VALIDATION_FAILED';
      expect(operation.doc.requestBody !== undefined, label(operation)).toBe(takesBody);
      if (!takesBody) continue;
      expect(res.body.error.details).toEqual([{ path: '', message: expect.any(String) }]);
      for (const code of [
        'VALIDATION_FAILED',
        'INVALID_JSON',
        'PAYLOAD_TOO_LARGE',
        'UNSUPPORTED_MEDIA_TYPE',
      ]) {
        expect(codesOf(operation), `${label(operation)} ${code}`).toContain(code);
      }
    }
  });

  it("documents as required exactly the fields the route's validation asks for", async () => {
    const withBody = operations.filter((o) => o.doc.requestBody !== undefined);
    expect(withBody.length).toBeGreaterThanOrEqual(7);
    for (const operation of withBody) {
      const schema = resolve(operation.doc.requestBody.content['application/json'].schema);
      // A choice of shapes (the push registration) requires what every shape requires.
      const branches: Json[] | undefined = schema.anyOf ?? schema.oneOf;
      const required: string[] =
        branches === undefined
          ? (schema.required ?? [])
          : branches
              .map((branch) => resolve(branch).required ?? [])
              .reduce((all: string[], each: string[]) => all.filter((f) => each.includes(f)));
      const res = await call(app, operation.method.toUpperCase(), concrete(operation.path), {
        token: await tokenFor(operation),
        json: {},
      });
      // A PATCH changes only what it names: `{}` is a valid empty change.
      if (operation.method === 'patch' && required.length === 0) {
        expect(res.status, label(operation)).toBe(200);
        continue;
      }
      if (required.length === 0 && res.status !== 400) {
        // Every field optional and `{}` taken as it is (resend: the last code's transport).
        expect(res.body.error?.code, label(operation)).not.toBe('VALIDATION_FAILED');
        continue;
      }
      expect(res.status, label(operation)).toBe(400);
      const paths = res.body.error.details.map((detail: { path: string }) => detail.path);
      // A schema without required fields refuses `{}` as a whole (replenish: "at least one key").
      expect(paths.sort(), label(operation)).toEqual(required.length > 0 ? required.sort() : ['']);
    }
  });

  it('documents query parameters, with 400, exactly where a route refuses a bad limit', async () => {
    for (const operation of operations.filter((o) => o.method === 'get')) {
      const res = await call(app, 'GET', `${concrete(operation.path)}?limit=x&offset=x`, {
        token: await tokenFor(operation),
      });
      const validates = res.status === 400 && res.body.error.code === 'VALIDATION_FAILED';
      const query = (operation.doc.parameters ?? []).filter((p: Json) => p.in === 'query');
      expect(query.length > 0, label(operation)).toBe(validates);
      if (!validates) continue;
      expect(codesOf(operation)).toContain('VALIDATION_FAILED');
      const details = res.body.error.details.map((detail: { path: string }) => detail.path);
      // GET /api/sync pages with `since` instead of `offset`, up to 500 events.
      const paged = ['limit', 'offset'].filter((n) => query.some((p: Json) => p.name === n));
      expect(details.sort(), label(operation)).toEqual(paged);
      expect(query.find((p: Json) => p.name === 'limit').schema).toEqual({
        type: 'integer',
        minimum: 1,
        maximum: operation.path === '/api/sync' ? MAX_SYNC_LIMIT : 100,
        default: expect.any(Number),
      });
    }
  });

  it('lists every error code docs/API.md names for a route', () => {
    const sections = routeSections(
      readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8'),
    );
    expect(sections.size).toBeGreaterThanOrEqual(15);
    for (const [route, codes] of sections) {
      const [method = '', path = ''] = route.split(' ');
      const operation = operations.find(
        (o) => o.method === method.toLowerCase() && o.path === path,
      );
      expect(operation, `docs/API.md documents ${route}`).toBeDefined();
      if (operation === undefined) continue;
      const documented = codesOf(operation);
      const statuses = new Set(Object.keys(operation.doc.responses));
      for (const code of codes) {
        if (/^\d+$/.test(code)) expect(statuses, `${route} ${code}`).toContain(code);
        else expect(documented, `${route} ${code}`).toContain(code);
      }
    }
  });
});

/** Each `### \`METHOD /path\`` section of docs/API.md → the codes it names, and `413`/`415`. */
function routeSections(markdown: string): Map<string, string[]> {
  const known = Object.keys(STATUS_BY_CODE);
  const sections = new Map<string, string[]>();
  const parts = markdown.split(/^(?=#{2,3} )/m);
  for (const part of parts) {
    const heading = /^### `(GET|POST) (\/[^`]*)`/.exec(part);
    if (heading === null) continue;
    const codes = known.filter((code) => new RegExp(`\\b${code}\\b`).test(part));
    const statuses = [...part.matchAll(/`(413|415)`/g)].map((match) => match[1] as string);
    sections.set(`${heading[1]} ${openApiPath(heading[2] as string)}`, [...codes, ...statuses]);
  }
  return sections;
}

function resolve(schema: Json): Json {
  const ref: string | undefined = schema.$ref;
  return ref === undefined ? schema : document.components.schemas[ref.split('/').pop() as string];
}

describe('GET /docs', () => {
  it('is an HTML page that loads only its own assets, under a self-only CSP', async () => {
    const res = await call(app, 'GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(DOCS_CONTENT_SECURITY_POLICY);
    const html: string = res.body;
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<style>| on\w+=/); // nothing inline
    const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThanOrEqual(3);
    for (const url of referenced) {
      expect(url).toMatch(/^\/docs\/assets\/[\w.-]+$/);
      expect(DOCS_ASSET_NAMES).toContain(url?.slice('/docs/assets/'.length));
    }
  });

  it('serves each asset with its content type; the start-up script disables the validator badge', async () => {
    const types: Record<string, RegExp> = {
      css: /^text\/css; charset=utf-8$/,
      js: /^text\/javascript; charset=utf-8$/,
      png: /^image\/png$/,
    };
    for (const name of DOCS_ASSET_NAMES) {
      const res = await app.request(`/docs/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toMatch(
        types[name.split('.').pop() as string] as RegExp,
      );
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes.byteLength, name).toBeGreaterThan(100);
      if (name.endsWith('.css')) {
        expect(new TextDecoder().decode(bytes)).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//);
      }
    }
    const init = await (await app.request('/docs/assets/docs-init.js')).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('serves no other file: unknown names and path tricks are 404 NOT_FOUND', async () => {
    for (const name of [
      'index.html',
      'swagger-ui.js.map',
      'package.json',
      '..%2Fpackage.json',
      '%2e%2e%2f%2e%2e%2fpackage.json',
      '..%5Cpackage.json',
      'swagger-ui.css%00.png',
    ]) {
      const res = await call(app, 'GET', `/docs/assets/${name}`);
      expect(res.status, name).toBe(404);
      expect(res.body.error.code, name).toBe('NOT_FOUND');
    }
    for (const path of ['/docs/assets/../../package.json', '/docs/assets/a/b.js']) {
      expect((await call(app, 'GET', path)).status, path).toBe(404);
    }
  });
});

describe('response schemas (schemas.ts) match what serialize.ts builds', () => {
  it('has the same fields with compatible types', () => {
    // Checked by the typecheck (tsc); a wire shape and its schema must have the same keys.
    expectTypeOf<ReturnType<typeof serializeSession>>().toExtend<
      v.InferOutput<typeof SessionResponse>
    >();
    expectTypeOf<keyof ReturnType<typeof serializeSession>>().toEqualTypeOf<
      keyof v.InferOutput<typeof SessionResponse>
    >();
    expectTypeOf<ReturnType<typeof serializeProfile>>().toExtend<
      v.InferOutput<typeof ProfileResponse>
    >();
    expectTypeOf<keyof ReturnType<typeof serializeProfile>>().toEqualTypeOf<
      keyof v.InferOutput<typeof ProfileResponse>
    >();
    expectTypeOf<ReturnType<typeof serializeContact>>().toExtend<
      v.InferOutput<typeof LookupResponse>[number]
    >();
    expectTypeOf<keyof ReturnType<typeof serializeContact>>().toEqualTypeOf<
      keyof v.InferOutput<typeof LookupResponse>[number]
    >();
    expectTypeOf<ReturnType<typeof serializePresence>>().toExtend<
      v.InferOutput<typeof PresenceResponse>
    >();
    expectTypeOf<ReturnType<typeof serializeMessage>>().toExtend<
      v.InferOutput<typeof MessageResponse>
    >();
    expectTypeOf<keyof ReturnType<typeof serializeMessage>>().toEqualTypeOf<
      keyof v.InferOutput<typeof MessageResponse>
    >();
    expectTypeOf<ReturnType<typeof serializeConversation>>().toExtend<
      v.InferOutput<typeof ConversationListResponse>[number]
    >();
    expectTypeOf<keyof ReturnType<typeof serializeConversation>>().toEqualTypeOf<
      keyof v.InferOutput<typeof ConversationListResponse>[number]
    >();
    expectTypeOf<ReturnType<typeof serializePoolCounts>>().toEqualTypeOf<
      v.InferOutput<typeof PoolCountsResponse>
    >();
    expectTypeOf<ReturnType<typeof serializeBundle>>().toExtend<
      v.InferOutput<typeof BundleResponse>
    >();
    expectTypeOf<keyof ReturnType<typeof serializeBundle>>().toEqualTypeOf<
      keyof v.InferOutput<typeof BundleResponse>
    >();
    expectTypeOf<ReturnType<typeof serializeCall>>().toExtend<
      v.InferOutput<typeof CallListResponse>[number]
    >();
    expectTypeOf<keyof ReturnType<typeof serializeCall>>().toEqualTypeOf<
      keyof v.InferOutput<typeof CallListResponse>[number]
    >();
    expectTypeOf<ReturnType<typeof serializeIceServers>>().toExtend<
      v.InferOutput<typeof IceServersResponse>
    >();
  });
});
