/**
 * @module Starts the HTTP server. Tests call `startServer({ port: 0 })` and get
 * the URL to talk to and a `close()` that releases everything.
 */
import type { AddressInfo } from 'node:net';
import type { WsHubOptions } from '../../adapters/ws/hub.js';
import type { Deps } from '../../core/index.js';
import { compose } from './compose.js';
import { type Config, loadConfig } from './config.js';
import type { Logger } from './logger.js';

export interface StartServerOptions {
  /** Overrides the configured port; 0 picks a free one. */
  readonly port?: number;
  /** Overrides the configured host. */
  readonly host?: string;
  /** Where configuration is read from; defaults to `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /** A ready configuration; wins over `env`. */
  readonly config?: Config;
  readonly logger?: Logger;
  /** WebSocket limits and timers (tests shorten them); the frame budget is off with RATE_LIMITS=off. */
  readonly websocket?: WsHubOptions;
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly deps: Deps;
  /** Stops accepting, ends open connections, releases the stores. Idempotent. */
  close(): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const base = options.config ?? loadConfig(options.env ?? process.env);
  const config: Config = {
    ...base,
    port: options.port ?? base.port,
    host: options.host ?? base.host,
  };
  const composition = await compose(config, {
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.websocket === undefined ? {} : { websocket: options.websocket }),
  });
  const { server, hub } = composition;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
  } catch (error) {
    await composition.close();
    throw error;
  }
  hub.attach(server);
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  return { url, port, deps: composition.deps, close: composition.close };
}
