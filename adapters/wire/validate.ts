/**
 * @module Runs a valibot schema over what a client sent and turns its issues
 * into the core's `ValidationError` (dot-joined paths: `oneTimePreKeys.3.keyId`;
 * `""` for the whole value), the same way for HTTP bodies and WebSocket frames.
 */
import * as v from 'valibot';
import { type Rule, ValidationError, type ValidationIssue } from '../../core/index.js';

/** Any valibot schema the edges validate with. */
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
 * A core rule as a pipe action: a regex where the rule is a pattern (the
 * OpenAPI document shows it), else a check; the message is the core's.
 */
export function follows(rule: Rule) {
  return rule.pattern === undefined
    ? v.check(rule.test, rule.message)
    : v.regex(rule.pattern, rule.message);
}
