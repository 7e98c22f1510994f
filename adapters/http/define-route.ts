/**
 * @module One definition per route: method, path, the rate limits spent
 * before the body is read, the request body and query schemas, the docs
 * (summary, answers with their response schemas, the error codes its own
 * logic raises) and the handler, together. `mountRoutes` registers each as
 * limits → body/query validation → handler, exactly the middleware the
 * request needs; the docs ride on the handler itself (hono-openapi reads
 * them from there), so documenting a route costs no middleware at run time.
 * The OpenAPI document is generated from these definitions
 * (openapi-document.ts).
 */
import type { Context, Env, Handler, Hono, MiddlewareHandler } from 'hono';
import type { RequestSchema } from '../wire/validate.js';
import { DEFAULT_BODY_LIMIT_BYTES, type ValidatedJson, validJsonBody } from './json-body.js';
import { operationSpec, type RouteDoc, withOpenApi } from './openapi.js';
import { type ValidatedQuery, validQuery } from './validate.js';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

type BodyInput<B> = B extends RequestSchema ? ValidatedJson<B> : object;
type QueryInput<Q> = Q extends RequestSchema ? ValidatedQuery<Q> : object;

/** A route as written in its group's file. */
export interface RouteDefinition<
  E extends Env,
  P extends string,
  B extends RequestSchema | undefined = undefined,
  Q extends RequestSchema | undefined = undefined,
> {
  readonly method: Method;
  /** Relative to where the group is mounted, in Hono's syntax (`/:userId/profile`). */
  readonly path: P;
  /** What the OpenAPI document says of it beyond the schemas, limits and token. */
  readonly doc: RouteDoc;
  /** Spent in order before the body is read (rate limits keyed by address, caller, path). */
  readonly limits?: readonly MiddlewareHandler<E>[];
  /** The JSON body's schema; the handler reads `c.req.valid('json')`. */
  readonly body?: B;
  /** Largest body in bytes (default `DEFAULT_BODY_LIMIT_BYTES`, 64 KiB). */
  readonly maxBodyBytes?: number;
  /** The query's schema; the handler reads `c.req.valid('query')`. */
  readonly query?: Q;
  readonly handler: (
    c: Context<E, P, BodyInput<B> & QueryInput<Q>>,
  ) => Response | Promise<Response>;
}

/** A definition with its types checked and erased, ready for `mountRoutes`. */
export interface Route<E extends Env> {
  readonly method: Method;
  readonly path: string;
  readonly doc: RouteDoc;
  readonly limits?: readonly MiddlewareHandler<E>[];
  readonly body?: RequestSchema;
  readonly maxBodyBytes?: number;
  readonly query?: RequestSchema;
  readonly handler: Handler<E>;
}

/** Checks a route's handler against its path, body and query; see `RouteDefinition`. */
export function defineRoute<
  E extends Env,
  P extends string,
  B extends RequestSchema | undefined = undefined,
  Q extends RequestSchema | undefined = undefined,
>(definition: RouteDefinition<E, P, B, Q>): Route<E> {
  return definition as unknown as Route<E>;
}

/** Registers `routes` on `app` (after whatever `app.use` already guards them with). */
export function mountRoutes<E extends Env>(app: Hono<E>, routes: readonly Route<E>[]): Hono<E> {
  for (const route of routes) {
    const chain: MiddlewareHandler<E>[] = [...(route.limits ?? [])];
    if (route.body !== undefined) {
      chain.push(
        validJsonBody(route.body, {
          maxBytes: route.maxBodyBytes ?? DEFAULT_BODY_LIMIT_BYTES,
        }) as unknown as MiddlewareHandler<E>,
      );
    }
    if (route.query !== undefined) {
      chain.push(validQuery(route.query) as unknown as MiddlewareHandler<E>);
    }
    const handler = withOpenApi(route.handler, operationSpec(route.doc));
    app.on(route.method.toUpperCase(), [route.path], ...chain, handler);
  }
  return app;
}
