/**
 * @module The request and response under `@hono/node-server`, read and
 * written without leaving its fast path. The adapter hands the app a
 * lightweight `Request` that becomes a real (undici) `Request` — Headers,
 * AbortSignal, ReadableStream and all — the first time anything touches its
 * `headers`, `body` or `signal`; and a `c.header()` call makes Hono build an
 * undici `Headers` for the answer, which the adapter then copies back out.
 * On a busy JSON route that conversion costs more than the route itself.
 * So request headers are read from the Node `IncomingMessage`'s raw header
 * list, and headers that every answer carries are set on the Node
 * `ServerResponse` before the handler runs: Node merges them into the
 * handler's own at `writeHead`, and the handler's win.
 *
 * Without the Node bindings (`app.request()` in tests, any other server) each
 * helper falls back to the web API, with the same result.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';

/** The Node request behind `c`, when `@hono/node-server` serves it. */
export function nodeIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  return incoming instanceof IncomingMessage ? incoming : undefined;
}

function nodeOutgoing(c: Context): ServerResponse | undefined {
  const outgoing = (c.env as Partial<HttpBindings> | undefined)?.outgoing;
  return outgoing instanceof ServerResponse && !outgoing.headersSent ? outgoing : undefined;
}

/**
 * The value of request header `name` (lower case) exactly as
 * `Headers.get()` gives it: repeated headers joined with `", "`, surrounding
 * spaces and tabs trimmed, `undefined` when absent. Node's own
 * `incoming.headers` would keep only the first of some repeated headers
 * (`Authorization`, `Content-Type`): an ambiguous request must not look
 * unambiguous here.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = nodeIncoming(c);
  if (incoming === undefined) return c.req.header(name);
  const raw = incoming.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) {
      const item = trimHttpWhitespace(raw[i + 1] as string);
      value = value === undefined ? item : `${value}, ${item}`;
    }
  }
  return value;
}

const EDGE_WHITESPACE = /^[\t ]+|[\t ]+$/g;

function trimHttpWhitespace(value: string): string {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  const padded = first === 0x20 || first === 0x09 || last === 0x20 || last === 0x09;
  return padded ? value.replace(EDGE_WHITESPACE, '') : value;
}

/**
 * Sets a response header that the handler may still replace: on the Node
 * response when there is one (the handler's headers win at `writeHead`),
 * else through `c.header()` before the handler runs (the handler's later
 * `c.header()` replaces it). Call it before `next()`.
 */
export function presetResponseHeader(c: Context, name: string, value: string): void {
  const outgoing = nodeOutgoing(c);
  if (outgoing === undefined) c.header(name, value);
  else outgoing.setHeader(name, value);
}

/** `presetResponseHeader` for each `[name, value]` of `headers`. */
export function presetResponseHeaders(
  c: Context,
  headers: readonly (readonly [name: string, value: string])[],
): void {
  const outgoing = nodeOutgoing(c);
  for (const [name, value] of headers) {
    if (outgoing === undefined) c.header(name, value);
    else outgoing.setHeader(name, value);
  }
}
