/**
 * @module Starts the HTTP server. Tests call `startServer({ port: 0 })` and get
 * the URL to talk to and a `close()` that releases everything.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createIceServerSource } from '../../adapters/crypto/turn-credentials.js';
import { type AccessLog, createHttpApp } from '../../adapters/http/create-http-app.js';
import { instrumentConnections } from '../../adapters/metrics/instrument.js';
import { createPrometheusMetrics } from '../../adapters/metrics/prometheus-metrics.js';
import { createWsHub, type WsHubOptions } from '../../adapters/ws/hub.js';
import type { Deps } from '../../core/index.js';
import { type Config, loadConfig } from './config.js';
import { compose } from './container.js';
import { trackHttpServer } from './http-drain.js';
import { createLogger, type Logger, wantsPrettyLogs } from './logger.js';
import { openRateLimiters } from './rate-limiters.js';

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
  const logger =
    options.logger ??
    createLogger({
      level: config.logLevel,
      pretty: wantsPrettyLogs(config.nodeEnv, process.stdout.isTTY),
    });
  // A registry per server: several servers in one process never clash.
  const metrics = createPrometheusMetrics();
  const composition = await compose(config, logger, { metrics });
  const limits = await openRateLimiters(config, logger);
  const accessLog = createAccessLog(logger);
  const app = createHttpApp(composition.deps, {
    metrics,
    accessLog,
    logger,
    readiness: composition.readiness,
    rateLimits: config.rateLimits,
    rateLimiters: limits.limiters,
    trustProxy: config.trustProxy,
    corsOrigins: config.corsOrigins,
    bodies: {
      readTimeoutMs: config.bodyReadTimeoutSec * 1000,
      maxLargeBodiesPerAddress: config.maxLargeBodiesPerIp,
    },
    vapidPublicKey: composition.vapidPublicKey,
    iceServers: createIceServerSource({
      stunUrls: config.stunUrls,
      turnUrls: config.turnUrls,
      turnSecret: config.turnSecret,
      ttlSec: config.turnTtlSec,
    }),
  });

  const hub = createWsHub({
    ...options.websocket,
    deps: composition.deps,
    sessionEvents: composition.sessionEvents,
    connections: instrumentConnections(composition.notifier, metrics),
    logger,
    // Upgrades are requests too: counted and logged like the app's.
    upgrades: {
      started: () => metrics.requestStarted(),
      finished: (record) => {
        metrics.requestFinished(record);
        accessLog(record);
      },
    },
    frameBudget: config.rateLimits
      ? (options.websocket?.frameBudget ?? config.wsFrameBudget)
      : false,
    ...(limits.limiters === undefined
      ? {}
      : {
          callLimits: {
            perUser: limits.limiters.callPerUser,
            perPair: limits.limiters.callPerPair,
          },
          profileReads: limits.limiters.profileReadsPerUser,
        }),
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const http = trackHttpServer(server as Server);
  hub.attach(server);
  const { port } = server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    deps: composition.deps,
    close() {
      closing ??= (async () => {
        // New connections are refused from here on; in-flight requests get SHUTDOWN_TIMEOUT to finish.
        const drained = http.drain(config.shutdownTimeoutSec * 1000);
        // Sockets get 1001 and their presence and call cleanup runs before the stores close.
        await hub.close();
        const { cutRequests } = await drained;
        if (cutRequests > 0) {
          logger.warn(
            `Shutdown: ${cutRequests} request(s) still running after ${config.shutdownTimeoutSec} s were cut off.`,
          );
        }
        await composition.close();
        await limits.close();
      })();
      return closing;
    },
  };
}

/** One line per answered request; server errors at `error`. */
function createAccessLog(logger: Logger): AccessLog {
  return ({ requestId, method, route, status, durationMs }) => {
    logger.request({
      requestId,
      method,
      route,
      status,
      durationMs: Math.round(durationMs * 10) / 10,
    });
  };
}
