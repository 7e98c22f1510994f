/** @module A real server on a free port for end-to-end tests, and a small JSON client for it. */
import { type Config, loadConfig } from '../../apps/server/config.js';
import { createConsoleLogger } from '../../apps/server/logger.js';
import {
  type RunningServer,
  type StartServerOptions,
  startServer,
} from '../../apps/server/start-server.js';

export const TEST_JWT_SECRET = 'end-to-end-test-secret-of-at-least-32-chars';

/**
 * Starts the server on 127.0.0.1 and a free port, on the in-memory store unless told otherwise.
 * `options` passes further `startServer` options (`websocket` timers and limits, a `logger`).
 */
export function startTestServer(
  overrides: Partial<Config> = {},
  options: Pick<StartServerOptions, 'websocket' | 'logger'> = {},
): Promise<RunningServer> {
  return startServer({
    logger: createConsoleLogger({ silent: true }),
    ...options,
    config: {
      // Every setting's default (rate limit rules, CORS, …), then the test server's own.
      ...loadConfig({}),
      nodeEnv: 'test',
      port: 0,
      host: '127.0.0.1',
      mongodbUri: null,
      jwtSecret: TEST_JWT_SECRET,
      jwtTtlSec: 3600,
      rateLimits: false,
      callRingTimeoutSec: 60,
      stunUrls: [],
      turnUrls: [],
      turnSecret: null,
      turnTtlSec: 86_400,
      logLevel: 'silent',
      shutdownTimeoutSec: 10,
      ...overrides,
    },
  });
}

export interface JsonResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** `fetch` with a JSON body and an optional token; parses the JSON answer. */
// biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies as loosely as a client would.
export async function callJson<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text === '' ? null : JSON.parse(text)) as T,
  };
}
