/**
 * @module What the logs never carry: secrets and tokens are replaced by
 * `[REDACTED]` before a line is written. Fields are redacted by name
 * (authorization and x-auth-token headers, cookies, passwords, secrets,
 * tokens, credentials), and every string, messages and error texts included,
 * loses what looks like a JWT, a bearer credential, a `token` query parameter
 * or a JSON password field.
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values are never logged, whatever they hold. */
const SECRET_FIELD = /authorization|auth-token|cookie|password|passwd|secret|token|credential/i;

/** Text patterns that carry a secret, and how to blank them. */
const SECRET_TEXT: readonly (readonly [RegExp, string])[] = [
  // Three base64url segments, the first a JSON header: a JWT (ours are HS256).
  [/eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g, REDACTED],
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  [/([?&](?:token|access_token|auth|password)=)[^&\s"'#]*/gi, `$1${REDACTED}`],
  [/("(?:password|token|secret)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, `$1"${REDACTED}"`],
];

const MAX_DEPTH = 8;

/** `text` without anything that looks like a secret. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of `value` fit for a log line: secret fields blanked, strings
 * scrubbed, errors turned into `{ type, message, stack, code?, cause? }`.
 * Cycles and nesting past 8 levels end as `[Circular]` / `[Truncated]`.
 */
export function redactSecrets(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Error) return errorFields(value, depth, seen);
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
    if (value instanceof Date) return value;
    if (value instanceof Headers) return walk(Object.fromEntries(value), depth, seen);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      out[key] = SECRET_FIELD.test(key) ? REDACTED : walk(field, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function errorFields(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: error.name,
    message: redactText(error.message),
  };
  if (error.stack !== undefined) out.stack = redactText(error.stack);
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (error.cause !== undefined) out.cause = walk(error.cause, depth + 1, seen);
  return out;
}
