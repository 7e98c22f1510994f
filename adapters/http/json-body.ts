/**
 * @module JSON request bodies as API.md §1 wants them. Checked in this order:
 * media type (`415`), size (`413`), presence (`415`), syntax (`400
 * INVALID_JSON`), a JSON object (`400 VALIDATION_FAILED`, path `""`), then the
 * route's schema (`400 VALIDATION_FAILED` with dot-joined paths). Routes use
 * `validJsonBody(schema)`, which also documents the body in OpenAPI.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, Env, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import getRawBody from 'raw-body';
import type * as v from 'valibot';
import { DomainError, ValidationError } from '../../core/index.js';
import { type RequestSchema, validate } from '../wire/validate.js';
import { RequestAbortedError } from './body-guard.js';
import { clientAddress } from './client-address.js';
import type { AppEnv } from './env.js';
import { nodeIncoming, presetResponseHeader, requestHeader } from './node-bindings.js';
import { schemaDoc, withOpenApi } from './openapi.js';

/** The limit of every JSON route but the three below (API.md §1). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
/** The limit of `POST /api/chat/send`, `/api/keys/publish` and `/api/keys/onetime/replenish`. */
export const LARGE_BODY_LIMIT_BYTES = 512 * 1024;

export interface JsonBodyOptions {
  /** Largest accepted body in bytes. Default `DEFAULT_BODY_LIMIT_BYTES` (64 KiB). */
  readonly maxBytes?: number;
}

/** What `validJsonBody(schema)` hands the handler as `c.req.valid('json')`. */
export interface ValidatedJson<S extends RequestSchema> {
  in: { json: v.InferInput<S> };
  out: { json: v.InferOutput<S> };
}

/**
 * Middleware for a route that takes a JSON body; the handler reads the
 * validated body as `c.req.valid('json')`. It refuses another media type
 * before reading anything, enforces the size limit (on `Content-Length` when
 * given, else while reading a chunked body), then parses and validates. The
 * same `schema` documents the request body in the OpenAPI document, with the
 * codes these checks answer.
 */
export function validJsonBody<S extends RequestSchema>(
  schema: S,
  options: JsonBodyOptions = {},
): MiddlewareHandler<Env, string, ValidatedJson<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const tooLarge = () =>
    new DomainError(
      'PAYLOAD_TOO_LARGE',
      `The body is larger than this route's limit of ${maxBytes / 1024} KiB.`,
    );
  const webLimit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  const middleware: MiddlewareHandler<Env, string, ValidatedJson<S>> = async (c, next) => {
    assertJsonMediaType(requestHeader(c, 'content-type'));
    const incoming = nodeIncoming(c);
    const bytes =
      incoming === undefined
        ? await readWebBody(c, webLimit)
        : await readIncomingBody(c, incoming, maxBytes, tooLarge);
    c.req.addValidatedData('json', parseJsonBytes(bytes, schema) as object);
    await next();
  };
  return withOpenApi(middleware, {
    requestBody: {
      required: true,
      description: `A JSON object (\`application/json\`, UTF-8) of at most ${maxBytes / 1024} KiB. Unknown fields are ignored; an optional field may be left out or \`null\`.`,
      content: { 'application/json': { schema: schemaDoc(schema) } },
    },
    'x-error-codes': [
      'UNSUPPORTED_MEDIA_TYPE',
      'PAYLOAD_TOO_LARGE',
      'REQUEST_TIMEOUT',
      'INVALID_JSON',
      'VALIDATION_FAILED',
    ],
  });
}

/**
 * The body straight from Node's request stream (under `@hono/node-server`):
 * reading it through `c.req` would build an undici Request and a web stream
 * around the same bytes. `raw-body` (Express's reader) refuses a declared
 * length over the limit before reading and stops a chunked body at the
 * limit; the adapter drains the rest once the answer is sent.
 *
 * The app's body guard (body-guard.ts) bounds the read: a body not complete
 * within the deadline is answered `408 REQUEST_TIMEOUT` and its connection
 * closed; a body over 64 KiB counts against its address's cap. A client that
 * goes away mid-body is `RequestAbortedError`: nothing to answer, and not our
 * failure.
 */
async function readIncomingBody(
  c: Context,
  incoming: IncomingMessage,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const declared = incoming.headers['content-length'];
  const chunked = incoming.headers['transfer-encoding'] !== undefined;
  const guard = (c as Context<AppEnv>).get('bodyGuard');
  const large =
    maxBytes > DEFAULT_BODY_LIMIT_BYTES &&
    (chunked || declared === undefined || Number(declared) > DEFAULT_BODY_LIMIT_BYTES);
  let timedOut: (() => void) | undefined;
  const read = guard?.begin({
    large,
    address: () => clientAddress(c, (c as Context<AppEnv>).get('trustProxy')),
    onTimeout: () => timedOut?.(),
  });
  const reading = getRawBody(incoming, {
    limit: maxBytes,
    ...(declared === undefined || chunked ? {} : { length: declared }),
  });
  try {
    if (read === undefined) return await reading;
    return await new Promise<Uint8Array>((resolve, reject) => {
      timedOut = () => {
        // raw-body fails too once the connection closes; nobody waits for it then.
        reading.catch(() => {});
        presetResponseHeader(c, 'Connection', 'close');
        reject(
          new DomainError(
            'REQUEST_TIMEOUT',
            'The body did not arrive in time; send it again, all at once.',
          ),
        );
      };
      reading.then(resolve, reject);
    });
  } catch (error) {
    const type = (error as { type?: unknown } | null)?.type;
    if (type === 'entity.too.large') throw tooLarge();
    if (type === 'request.aborted') throw new RequestAbortedError();
    throw error;
  } finally {
    read?.end();
  }
}

/** The body through the web `Request` (`app.request()` in tests), with `hono/body-limit`. */
async function readWebBody(c: Context, limit: MiddlewareHandler): Promise<Uint8Array> {
  let bytes = new Uint8Array(0);
  await limit(c, async () => {
    bytes = new Uint8Array(await c.req.arrayBuffer());
  });
  return bytes;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses and validates a body: an empty body counts as no body (`415`);
 * unknown fields are dropped by the schema.
 */
function parseJsonBytes<S extends RequestSchema>(bytes: Uint8Array, schema: S): v.InferOutput<S> {
  if (bytes.byteLength === 0) {
    throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'This route needs an application/json body.');
  }
  let value: unknown;
  try {
    // A leading byte order mark is dropped by the decoder.
    value = JSON.parse(UTF8.decode(bytes));
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
