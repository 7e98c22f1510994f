/**
 * @module OpenAPI annotations, read by hono-openapi when the document is
 * generated (see openapi-document.ts). The middleware that checks a request
 * documents exactly what it checks, with the very schema object it validates
 * with: `validJsonBody` the body, `validQuery` the query, `requireAuth` the
 * token. Each route's definition (define-route.ts) adds its `doc`: summary,
 * answers (valibot response schemas, from adapters/wire/schemas.ts for what
 * serialize.ts builds) and the error codes only its own logic raises.
 * Nothing here changes how a request is handled.
 */
import type { Handler, MiddlewareHandler } from 'hono';
import { type DescribeRouteOptions, resolver, uniqueSymbol } from 'hono-openapi';
import * as v from 'valibot';
import type { ErrorCode } from '../../core/index.js';

/**
 * An operation's documentation as hono-openapi merges it, plus the
 * `x-error-codes` extension: every contract code the operation can answer.
 * hono-openapi concatenates arrays when it merges the pieces of one route;
 * the document generator turns the codes into responses.
 */
export type OperationSpec = DescribeRouteOptions & {
  readonly 'x-error-codes'?: readonly ErrorCode[];
};

/**
 * Conversion of valibot schemas to JSON Schema 2020-12 (OpenAPI 3.1's
 * dialect). Checks JSON Schema cannot express (code-point lengths, phone
 * normalization) are left out; the schemas' descriptions say them in words.
 */
const RESOLVER_OPTIONS = {
  target: 'draft-2020-12',
  errorMode: 'ignore',
  overrideSchema: documentQueryInteger,
} as const;

/** A valibot schema as hono-openapi resolves it into the document. */
export function schemaDoc(schema: v.GenericSchema) {
  // standard-openapi hands `options` (only) to @valibot/to-json-schema.
  return resolver(schema, { options: RESOLVER_OPTIONS });
}

/**
 * Marks `middleware` as documenting `spec` for every route it guards (a
 * route's own middleware, or a `use` on a prefix). Returns the middleware itself.
 */
export function withOpenApi<M extends MiddlewareHandler | Handler>(
  middleware: M,
  spec: OperationSpec,
): M {
  return Object.assign(middleware, { [uniqueSymbol]: { spec } });
}

/**
 * Marks `middleware` as validating the query with `schema`: hono-openapi turns
 * the schema's fields into query parameters.
 */
export function withQueryOpenApi<M extends MiddlewareHandler>(
  middleware: M,
  schema: v.GenericSchema,
): M {
  return Object.assign(middleware, {
    [uniqueSymbol]: { target: 'query', ...schemaDoc(schema) },
  });
}

/** One answer of a route. */
export interface ResponseDoc {
  readonly description: string;
  /** The `application/json` body. */
  readonly schema?: v.GenericSchema;
  /** Other media types, as OpenAPI media type objects. */
  readonly content?: Readonly<Record<string, { readonly schema: object }>>;
  /** Response headers worth knowing, by name. */
  readonly headers?: Readonly<Record<string, { readonly description: string }>>;
}

/** A route's `doc` (define-route.ts): the parts only the route itself knows. */
export interface RouteDoc {
  /** A stable, readable operation id (`register`, `getProfile`). */
  readonly operationId: string;
  readonly summary: string;
  /** Markdown; the rules a client must know beyond the schemas. */
  readonly description?: string;
  /** Default: from the path (`/api/chat/…` → Chat). */
  readonly tags?: readonly string[];
  /** The successful answers, by status. */
  readonly responses: Readonly<Record<number, ResponseDoc>>;
  /**
   * Error codes the route's own logic raises. Those of the token, the body
   * and the query, and the ones every route may answer (429, 503, 500), are
   * added by the generator.
   */
  readonly errors?: readonly ErrorCode[];
  /** Path parameters, by name, with what they mean. */
  readonly pathParams?: Readonly<Record<string, string>>;
  /** Request headers the route reads, by name, with what they mean. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The route's own part of its operation, as hono-openapi merges it (define-route.ts). */
export function operationSpec(doc: RouteDoc): OperationSpec {
  const responses: NonNullable<DescribeRouteOptions['responses']> = {};
  for (const [status, response] of Object.entries(doc.responses)) {
    responses[status] = {
      description: response.description,
      ...(response.headers === undefined ? {} : { headers: { ...response.headers } }),
      ...(response.schema === undefined && response.content === undefined
        ? {}
        : {
            content: {
              ...(response.schema === undefined
                ? {}
                : { 'application/json': { schema: schemaDoc(response.schema) } }),
              ...response.content,
            },
          }),
    };
  }
  const parameters: NonNullable<DescribeRouteOptions['parameters']> = [
    ...Object.entries(doc.pathParams ?? {}).map(([name, description]) => ({
      name,
      in: 'path',
      required: true,
      description,
      schema: { type: 'string' as const },
    })),
    ...Object.entries(doc.headers ?? {}).map(([name, description]) => ({
      name,
      in: 'header',
      required: false,
      description,
      schema: { type: 'string' as const },
    })),
  ];
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    ...(doc.tags === undefined ? {} : { tags: [...doc.tags] }),
    ...(parameters.length === 0 ? {} : { parameters }),
    responses,
    ...(doc.errors === undefined ? {} : { 'x-error-codes': [...doc.errors] }),
  };
}

/**
 * A query integer (`v.optional(v.pipe(v.string(), v.regex(digits),
 * v.transform(Number), v.minValue(…), v.maxValue(…)), default)`) is text on
 * the wire but an integer to the client: documented as one, with the bounds
 * and default read from the schema's own actions.
 */
function documentQueryInteger(context: {
  readonly valibotSchema: v.GenericSchema;
  readonly jsonSchema: object;
}): object | undefined {
  const schema = context.valibotSchema;
  if (schema.type !== 'optional' || !('wrapped' in schema)) return undefined;
  const wrapped = schema.wrapped as v.GenericSchema & { pipe?: readonly { type: string }[] };
  const pipe = wrapped.pipe;
  if (pipe === undefined || !pipe.some((action) => action.type === 'transform')) return undefined;
  const bound = (type: string) =>
    (pipe.find((action) => action.type === type) as { requirement?: unknown } | undefined)
      ?.requirement;
  const minimum = bound('min_value');
  const maximum = bound('max_value');
  const fallback = v.getDefault(schema as v.OptionalSchema<v.GenericSchema, unknown>);
  const description = (context.jsonSchema as { description?: string }).description;
  return {
    type: 'integer',
    ...(typeof minimum === 'number' ? { minimum } : {}),
    ...(typeof maximum === 'number' ? { maximum } : {}),
    ...(fallback === undefined ? {} : { default: Number(fallback) }),
    ...(description === undefined ? {} : { description }),
  };
}
