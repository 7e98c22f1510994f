/**
 * @module Query strings validated like bodies (adapters/wire/validate.ts):
 * issues become the core's `ValidationError`, parameters named by name.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import type * as v from 'valibot';
import { type RequestSchema, validate } from '../wire/validate.js';
import { withQueryOpenApi } from './openapi.js';

/**
 * The query string validated by `schema`. A parameter given once is a string;
 * one given several times is an array, which every query schema refuses, so
 * `?limit=1&limit=2` is a `400` rather than a silent pick.
 */
export function parseQuery<S extends RequestSchema>(c: Context, schema: S): v.InferOutput<S> {
  const raw: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    raw[name] = values.length === 1 ? (values[0] as string) : values;
  }
  return validate(schema, raw);
}

/** What `validQuery(schema)` hands the handler as `c.req.valid('query')`. */
export interface ValidatedQuery<S extends RequestSchema> {
  out: { query: v.InferOutput<S> };
}

/**
 * Middleware validating the query with `schema` (as `parseQuery` does); the
 * handler reads it as `c.req.valid('query')`. The same `schema` documents the
 * query parameters in the OpenAPI document.
 */
export function validQuery<S extends RequestSchema>(
  schema: S,
): MiddlewareHandler<Env, string, ValidatedQuery<S>> {
  const middleware: MiddlewareHandler<Env, string, ValidatedQuery<S>> = async (c, next) => {
    c.req.addValidatedData('query', parseQuery(c, schema) as object);
    await next();
  };
  return withQueryOpenApi(middleware, schema);
}
