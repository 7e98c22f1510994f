/**
 * @module The OpenAPI 3.1 document of the HTTP API, generated from the app's
 * own routes by hono-openapi: request bodies and queries from the schemas
 * that validate them, answers from each route's definition (`doc`), and error codes
 * gathered from every middleware on the way (see openapi.ts). A route without
 * documentation is missing from the document, which the test refuses.
 */
import { createRequire } from 'node:module';
import type { Hono } from 'hono';
import { generateSpecs } from 'hono-openapi';
import type { ErrorCode } from '../../core/index.js';
import { STATUS_BY_CODE } from '../wire/errors.js';
import { websocketExtension } from '../wire/protocol-doc.js';
import type { AppEnv } from './env.js';
import { schemaDoc } from './openapi.js';
import { ErrorResponse } from './schemas.js';

/** The document as served at `/openapi.json` (plain JSON). */
export type OpenApiDocument = Awaited<ReturnType<typeof generateSpecs>>;

/** What a client reads in the error's description, per code. A new code without one fails the typecheck. */
export const ERROR_MEANINGS: Record<ErrorCode, string> = {
  VALIDATION_FAILED:
    'The body, a query parameter or a rule of the route refused the input; `details` lists each offending field (dot-joined `path`, `""` for the body itself).',
  INVALID_JSON: 'The body is not UTF-8 JSON.',
  INVALID_SIGNATURE:
    'A key signature does not verify against the identity key; nothing was stored.',
  UNAUTHENTICATED:
    'No token, or a bad one: malformed, badly signed, expired, issued in the future, without `exp`, or naming a user that is gone. Carries `WWW-Authenticate: Bearer`.',
  INVALID_CREDENTIALS: 'Unknown phone number or wrong password (the same answer for both).',
  FORBIDDEN: 'The caller may not do this.',
  NOT_FOUND: 'No such thing.',
  USER_NOT_FOUND: 'No user with this id (malformed ids included) or username.',
  BUNDLE_NOT_FOUND: 'The user has published no key bundle (or does not exist).',
  PHONE_TAKEN: 'The phone number is already registered.',
  USERNAME_TAKEN: 'The username is taken (compared without regard to case).',
  POOL_FULL: 'The keys would overflow a one-time pool (1 000 keys); nothing was stored.',
  PAYLOAD_TOO_LARGE: "The body is larger than the route's limit.",
  REQUEST_TIMEOUT:
    'The body did not arrive within `BODY_READ_TIMEOUT` seconds; the connection is closed. Send it again.',
  UNSUPPORTED_MEDIA_TYPE: 'The body is missing, empty, or not sent as `application/json` (UTF-8).',
  RATE_LIMITED:
    'Too many requests (where the route is rate-limited; see SECURITY.md). Retry after `Retry-After` seconds.',
  SERVICE_UNAVAILABLE: 'A backing store is down; retry later.',
  INTERNAL: 'Something failed on our side; logged under the `X-Request-Id` of the answer.',
  INVALID_CODE:
    'The verification code is wrong; `error.attemptsLeft` says how many checks remain (0: start a new verification).',
  VERIFICATION_REQUIRED:
    'Registration needs a verified verification of this number (`verificationId`), and this one is missing, not yet verified, or for another number.',
  VERIFICATION_NOT_FOUND: 'No verification with this id (malformed ids included).',
  SESSION_NOT_FOUND: "No session with this id among the caller's (malformed ids included).",
  VERIFICATION_EXPIRED:
    'The verification expired (10 minutes after its last code, or after it was verified) or was used already; start a new one.',
  VERIFICATION_EXHAUSTED:
    'No checks (5) or codes (5) are left on the verification; start a new one.',
  UNKNOWN_EVENT: 'WebSocket only.',
  NOT_IN_CALL: 'WebSocket only.',
  ALREADY_IN_CALL: 'WebSocket only.',
  CALL_EXISTS: 'WebSocket only.',
};

/** Codes every operation under `/api/` may answer, whatever its own logic does. */
const API_WIDE_ERRORS: readonly ErrorCode[] = ['RATE_LIMITED', 'SERVICE_UNAVAILABLE', 'INTERNAL'];
/** Codes every operation may answer. */
const APP_WIDE_ERRORS: readonly ErrorCode[] = ['INTERNAL'];

/** Tags by path prefix, in the order the page shows them. */
const TAGS = [
  { prefix: '/api/auth/', name: 'Auth', description: 'Register and sign in (no token needed).' },
  { prefix: '/api/users/', name: 'Users', description: 'Profiles, presence, contact discovery.' },
  { prefix: '/api/chat/', name: 'Chat', description: 'One-to-one messages and conversations.' },
  { prefix: '/api/keys/', name: 'Keys', description: 'The E2EE prekey directory.' },
  { prefix: '/api/calls', name: 'Calls', description: 'Call history and ICE servers.' },
  { prefix: '/', name: 'Operations', description: 'Probes, metrics and this documentation.' },
] as const;

const DESCRIPTION = `The HTTP API of the My Calls backend: accounts, one-to-one chat, call history,
presence and an E2EE prekey directory. Every route, field and error code of this document is
generated from the code that handles it. The full reference, with every decision taken where the
contract is silent, is \`docs/API.md\` in the repository.

**Errors** all have one shape (schema \`Error\`); clients branch on \`error.code\`. Every answer
carries \`X-Request-Id\`.

**Authentication**: routes with a lock take the token as \`Authorization: Bearer <jwt>\` or as
\`x-auth-token: <jwt>\`; it comes from register or login.

**WebSocket** (signaling, chat push, presence) cannot be described in OpenAPI: connect to
\`ws://<host>/?token=<jwt>\` and exchange JSON frames \`{ "type", "payload" }\`. Every frame both
ways, with its payload's JSON Schema, an example and its error codes, every \`reason\` and close
code are in the \`x-websocket\` extension of this document; the same frames as an AsyncAPI 3
document are at \`/asyncapi.json\`; the call state machine and the ordering guarantees are in
\`docs/API.md\`.`;

const packageVersion = (
  createRequire(import.meta.url)('my-calls-backend/package.json') as { version: string }
).version;

/**
 * The document of `app`, from the routes registered on it. Every operation
 * gets the responses of each error code it may answer (schema `Error`, one
 * example per code) and its tag; the security schemes and the WebSocket
 * summary are added once.
 */
export async function generateOpenApiDocument(app: Hono<AppEnv>): Promise<OpenApiDocument> {
  const errorSchema = await schemaDoc(ErrorResponse).toOpenAPISchema();
  const generated = await generateSpecs(app, {
    documentation: {
      info: { title: 'My Calls API', version: packageVersion, description: DESCRIPTION },
      tags: TAGS.map(({ name, description }) => ({ name, description })),
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          tokenHeader: {
            type: 'apiKey',
            in: 'header',
            name: 'x-auth-token',
            description: 'The same JWT as a bare header (the original clients send this).',
          },
        },
      },
    },
    excludeStaticFile: false,
    defaultValidationErrorResponse: false,
  });
  const document = structuredClone(generated);
  document.components.schemas = {
    ...errorSchema.components?.schemas,
    ...document.components.schemas,
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (typeof operation !== 'object' || operation === null) continue;
      completeOperation(path, method, operation as Operation, errorSchema.schema);
    }
  }
  return { ...document, 'x-websocket': websocketExtension() } as OpenApiDocument;
}

interface Operation {
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { in?: string }[];
  responses: Record<string, unknown>;
  'x-error-codes'?: ErrorCode[];
}

const PARAMETER_ORDER = ['path', 'query', 'header'];

function completeOperation(path: string, method: string, operation: Operation, errorRef: object) {
  const codes = new Set<ErrorCode>(operation['x-error-codes'] ?? []);
  // A validated query answers 400 at the offending parameter.
  if (operation.parameters?.some((parameter) => parameter.in === 'query')) {
    codes.add('VALIDATION_FAILED');
  }
  for (const code of path.startsWith('/api/') ? API_WIDE_ERRORS : APP_WIDE_ERRORS) codes.add(code);
  // Path parameters first, then the query's, then headers, whatever order the pieces merged in.
  operation.parameters?.sort(
    (a, b) => PARAMETER_ORDER.indexOf(a.in ?? '') - PARAMETER_ORDER.indexOf(b.in ?? ''),
  );

  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, statusCodes] of byStatus) {
    if (operation.responses[status] !== undefined) {
      throw new Error(
        `${method.toUpperCase()} ${path}: ${status} is documented both as an answer and for ${statusCodes.join(', ')}.`,
      );
    }
    operation.responses[status] = errorResponse(statusCodes, errorRef);
  }
  operation['x-error-codes'] = [...codes].sort();
  if (operation.security !== undefined) {
    const unique = new Map(operation.security.map((entry) => [JSON.stringify(entry), entry]));
    operation.security = [...unique.values()];
  }
  if (operation.tags === undefined || operation.tags.length === 0) {
    operation.tags = [TAGS.find(({ prefix }) => path.startsWith(prefix))?.name ?? 'Operations'];
  }
}

function errorResponse(codes: readonly ErrorCode[], schema: object) {
  const examples: Record<string, { summary: string; value: unknown }> = {};
  for (const code of codes) {
    examples[code] = {
      summary: code,
      value: {
        error:
          code === 'VALIDATION_FAILED'
            ? {
                code,
                message: 'The request is not valid.',
                details: [{ path: 'phoneNumber', message: 'Must be an E.164 number.' }],
              }
            : { code, message: ERROR_MEANINGS[code] },
      },
    };
  }
  const headers: Record<string, { description: string; schema: object }> = {};
  if (codes.includes('UNAUTHENTICATED')) {
    headers['WWW-Authenticate'] = { description: 'Always `Bearer`.', schema: { type: 'string' } };
  }
  if (codes.includes('RATE_LIMITED')) {
    headers['Retry-After'] = {
      description: 'Whole seconds to wait (at least 1).',
      schema: { type: 'integer', minimum: 1 },
    };
  }
  return {
    description: codes.map((code) => `\`${code}\`: ${ERROR_MEANINGS[code]}`).join('\n\n'),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    content: { 'application/json': { schema, examples } },
  };
}
