/**
 * @module Runs a request schema and turns its issues into the core's
 * `ValidationError` (dot-joined paths: `oneTimePreKeys.3.keyId`; `""` for the
 * body; query parameters by name).
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { ValidationError, type ValidationIssue } from '../../core/index.js';
import { withQueryOpenApi } from './openapi.js';

/** Any valibot schema the edge validates with. */
export type RequestSchema = v.GenericSchema;

/**
 * The schema's output for `input`, or a `ValidationError` listing the first
 * issue of each offending field.
 */
export function validate<S extends RequestSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (result.success) return result.output;
  const details: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const issue of result.issues) {
    const path = v.getDotPath(issue) ?? '';
    if (seen.has(path)) continue;
    seen.add(path);
    details.push({ path, message: issue.message });
  }
  throw new ValidationError(details);
}

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
