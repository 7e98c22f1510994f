/**
 * @module JSON request bodies as API.md §1 wants them. Checked in this order:
 * media type (`415`), size (`413`), presence (`415`), syntax (`400
 * INVALID_JSON`), a JSON object (`400 VALIDATION_FAILED`, path `""`), then the
 * route's schema (`400 VALIDATION_FAILED` with dot-joined paths). Routes use
 * `validJsonBody(schema)`, which also documents the body in OpenAPI.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type * as v from 'valibot';
import { DomainError, ValidationError } from '../../core/index.js';
import { schemaDoc, withOpenApi } from './openapi.js';
import { type RequestSchema, validate } from './validate.js';

/** The limit of every JSON route but the three below (API.md §1). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
/** The limit of `POST /api/chat/send`, `/api/keys/publish` and `/api/keys/onetime/replenish`. */
export const LARGE_BODY_LIMIT_BYTES = 512 * 1024;

export interface JsonBodyOptions {
  /** Largest accepted body in bytes. Default `DEFAULT_BODY_LIMIT_BYTES` (64 KiB). */
  readonly maxBytes?: number;
}

/**
 * Middleware for a route that takes a JSON body: refuses another media type
 * before reading anything, then enforces the size limit (on `Content-Length`
 * when given, else while reading a chunked body). The handler then calls
 * `parseJsonBody`.
 */
export function jsonBody(options: JsonBodyOptions = {}): MiddlewareHandler {
  const maxBytes = options.maxBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new DomainError(
        'PAYLOAD_TOO_LARGE',
        `The body is larger than this route's limit of ${maxBytes / 1024} KiB.`,
      );
    },
  });
  return async (c, next) => {
    assertJsonMediaType(c.req.header('content-type'));
    return limit(c, next);
  };
}

/** What `validJsonBody(schema)` hands the handler as `c.req.valid('json')`. */
export interface ValidatedJson<S extends RequestSchema> {
  in: { json: v.InferInput<S> };
  out: { json: v.InferOutput<S> };
}

/**
 * `jsonBody` and `parseJsonBody` in one middleware: the handler reads the
 * validated body as `c.req.valid('json')`. The same `schema` documents the
 * request body in the OpenAPI document, with the codes these checks answer.
 */
export function validJsonBody<S extends RequestSchema>(
  schema: S,
  options: JsonBodyOptions = {},
): MiddlewareHandler<Env, string, ValidatedJson<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const guard = jsonBody({ maxBytes });
  const middleware: MiddlewareHandler<Env, string, ValidatedJson<S>> = (c, next) =>
    guard(c, async () => {
      c.req.addValidatedData('json', (await parseJsonBody(c, schema)) as object);
      await next();
    });
  return withOpenApi(middleware, {
    requestBody: {
      required: true,
      description: `A JSON object (\`application/json\`, UTF-8) of at most ${maxBytes / 1024} KiB. Unknown fields are ignored; an optional field may be left out or \`null\`.`,
      content: { 'application/json': { schema: schemaDoc(schema) } },
    },
    'x-error-codes': [
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'INVALID_JSON',
      'VALIDATION_FAILED',
    ],
  });
}

/**
 * Reads, parses and validates the body of a route guarded by `jsonBody`. An
 * empty body counts as no body (`415`); unknown fields are dropped by the schema.
 */
export async function parseJsonBody<S extends RequestSchema>(
  c: Context,
  schema: S,
): Promise<v.InferOutput<S>> {
  assertJsonMediaType(c.req.header('content-type'));
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength === 0) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'This route needs an application/json body.');
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DomainError('INVALID_JSON', 'The body is not valid UTF-8 JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ValidationError.at('', 'The body must be a JSON object.');
  }
  return validate(schema, value);
}

/**
 * True for `application/json` in any case, with any parameters, as long as a
 * `charset` parameter (if any) names UTF-8: JSON on the wire is UTF-8 (RFC 8259).
 */
export function isJsonMediaType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type = '', ...parameters] = header.split(';');
  if (type.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name = '', value = ''] = parameter.split('=', 2);
    if (name.trim().toLowerCase() !== 'charset') return true;
    return /^"?utf-8"?$/i.test(value.trim());
  });
}

function assertJsonMediaType(header: string | undefined): void {
  if (!isJsonMediaType(header)) {
    throw new DomainError(
      'UNSUPPORTED_MEDIA_TYPE',
      'This route takes a JSON body: send it with Content-Type: application/json.',
    );
  }
}
