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
import {
  IncomingMessage,
  ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
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

type HeaderPair = readonly [name: string, value: string];

/**
 * A list of response headers validated once, that `presetHeaderBlock` sets
 * on an answer in one step.
 */
export interface HeaderBlock {
  readonly headers: readonly HeaderPair[];
  /** `[lower-case name, name, value]`: the entries of Node's own header table. */
  readonly entries: readonly (readonly [key: string, name: string, value: string])[];
}

/** A `HeaderBlock` of `headers`; throws what `setHeader` would for an invalid one. */
export function headerBlock(headers: readonly HeaderPair[]): HeaderBlock {
  for (const [name, value] of headers) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  }
  const entries = headers.map(([name, value]) => [name.toLowerCase(), name, value] as const);
  return { headers, entries };
}

/**
 * Node keeps the headers set on a `ServerResponse` in a table under a
 * symbol of its own, `{ [lower-case name]: [name, value] }`, which
 * `writeHead` merges the handler's headers into and writes out without
 * validating them again. Filling that table directly sets a block of
 * pre-validated headers for the cost of one object, where `setHeader` would
 * validate and lower-case each of them on every answer (issue 19's profile:
 * 14 `setHeader` calls were a twentieth of a JSON answer's CPU). When Node
 * keeps its headers otherwise, `setHeader` is used.
 */
const OUT_HEADERS: symbol | undefined = (() => {
  const probe = new ServerResponse(new IncomingMessage(null as never));
  probe.setHeader('X-Probe', '1');
  const symbol = Object.getOwnPropertySymbols(probe).find((s) => s.description === 'kOutHeaders');
  if (symbol === undefined) return undefined;
  const table = (probe as unknown as Record<symbol, unknown>)[symbol] as Record<string, unknown>;
  const entry = table?.['x-probe'];
  const shaped =
    Object.getPrototypeOf(table) === null &&
    Array.isArray(entry) &&
    entry[0] === 'X-Probe' &&
    entry[1] === '1' &&
    probe.getHeader('x-probe') === '1';
  return shaped ? symbol : undefined;
})();

/** Whether `presetHeaderBlock` fills Node's header table directly on this Node (tests). */
export const HEADER_BLOCK_DIRECT = OUT_HEADERS !== undefined;

/**
 * `presetResponseHeader(c, first)` (when given), then each header of
 * `block`, then `last` (when given), in one step on a Node response with no
 * header set yet. The two loose headers are the per-answer ones (request
 * id, `Cache-Control`); they are validated here.
 */
export function presetHeaderBlock(
  c: Context,
  first: HeaderPair | undefined,
  block: HeaderBlock,
  last: HeaderPair | undefined,
): void {
  const outgoing = nodeOutgoing(c);
  const table =
    outgoing === undefined || OUT_HEADERS === undefined
      ? undefined
      : (outgoing as unknown as Record<symbol, Record<string, [string, string]> | null>)[
          OUT_HEADERS
        ];
  if (outgoing === undefined || table !== null) {
    if (first !== undefined) presetResponseHeader(c, first[0], first[1]);
    presetResponseHeaders(c, block.headers);
    if (last !== undefined) presetResponseHeader(c, last[0], last[1]);
    return;
  }
  const headers = Object.create(EMPTY_PROTOTYPE) as Record<string, [string, string]>;
  if (first !== undefined) headers[looseKey(first)] = [first[0], first[1]];
  // Fresh pairs: Node's appendHeader() grows a pair's value in place.
  for (const [key, name, value] of block.entries) headers[key] = [name, value];
  if (last !== undefined) headers[looseKey(last)] = [last[0], last[1]];
  (outgoing as unknown as Record<symbol, unknown>)[OUT_HEADERS as symbol] = headers;
}

/**
 * The prototype of the tables filled here: nothing to inherit, like Node's own
 * null-prototype table, but a table with a prototype stays a fast V8 object
 * where a null-prototype one is a dictionary, which cost more to fill than
 * the `setHeader` calls it replaces.
 */
const EMPTY_PROTOTYPE: object = Object.freeze(Object.create(null));

/** Names `looseKey` has validated, with their lower-case keys: the loose headers' names are constants. */
const checkedNames = new Map<string, string>();
/** What Node's `validateHeaderValue` refuses in a string value. */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;

function looseKey([name, value]: HeaderPair): string {
  let key = checkedNames.get(name);
  if (key === undefined) {
    validateHeaderName(name);
    key = name.toLowerCase();
    if (checkedNames.size < 64) checkedNames.set(name, key);
  }
  // Node's own check throws its own error; it runs only when the quick test fails.
  if (INVALID_VALUE_CHAR.test(value)) validateHeaderValue(name, value);
  return key;
}
