/**
 * @module The server's metrics on prom-client, in a registry of their own (never
 * prom-client's global one), so several servers in one process never clash.
 * One object records what the HTTP app, the connection registry and the store
 * decorators report, and renders the registry for `GET /metrics`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { FINAL_CALL_STATUSES, type Notification } from '../../core/index.js';
import {
  type HttpMetrics,
  LOGIN_OUTCOMES,
  type MetricsExposition,
  PUSH_OUTCOMES,
  PUSH_PROVIDERS,
  type PushMetrics,
  type RequestRecord,
} from '../wire/observation.js';
import type { ConnectionMetrics, OneTimePool, StoreMetrics } from './instrument.js';

/** Every metric this module defines (the default process metrics come on top). */
export const METRIC_NAMES = {
  httpRequestDuration: 'mycalls_http_request_duration_seconds',
  httpRequestsInFlight: 'mycalls_http_requests_in_flight',
  wsConnections: 'mycalls_ws_connections',
  wsFramesRelayed: 'mycalls_ws_frames_relayed_total',
  callsEnded: 'mycalls_calls_ended_total',
  oneTimeKeyClaims: 'mycalls_one_time_key_claims_total',
  logins: 'mycalls_logins_total',
  pushes: 'mycalls_push_notifications_total',
} as const;

const POOLS: readonly OneTimePool[] = ['ec', 'kyber'];

/** Request durations from 1 ms (a health probe) to 10 s (a request stuck on a store). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface PrometheusMetricsOptions {
  /** prom-client's default process and Node.js metrics (event-loop lag included). Default true. */
  readonly defaultMetrics?: boolean;
}

/** Everything the server records, in one registry. */
export interface PrometheusMetrics
  extends HttpMetrics,
    ConnectionMetrics,
    StoreMetrics,
    PushMetrics {
  readonly registry: Registry;
}

/** A fresh registry with the server's metrics (and, by default, the process metrics). */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requestDuration = new Histogram({
    name: METRIC_NAMES.httpRequestDuration,
    help: 'HTTP request duration in seconds, by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const inFlight = new Gauge({
    name: METRIC_NAMES.httpRequestsInFlight,
    help: 'HTTP requests being answered right now.',
    registers,
  });
  const connections = new Gauge({
    name: METRIC_NAMES.wsConnections,
    help: 'Open WebSocket connections (past the ready frame).',
    registers,
  });
  const framesRelayed = new Counter({
    name: METRIC_NAMES.wsFramesRelayed,
    help: 'Pushes delivered to WebSocket connections, by frame type.',
    labelNames: ['type'] as const,
    registers,
  });
  const framesRelayedByType = new Map<string, ReturnType<typeof framesRelayed.labels>>();
  const callsEnded = new Counter({
    name: METRIC_NAMES.callsEnded,
    help: 'Calls that reached a final status, by status.',
    labelNames: ['status'] as const,
    registers,
  });
  const keyClaims = new Counter({
    name: METRIC_NAMES.oneTimeKeyClaims,
    help: 'One-time key claims by pool (ec, kyber) and result (claimed, or empty: the pool had none).',
    labelNames: ['pool', 'result'] as const,
    registers,
  });
  const logins = new Counter({
    name: METRIC_NAMES.logins,
    help: 'Login attempts by outcome.',
    labelNames: ['outcome'] as const,
    registers,
  });

  const pushes = new Counter({
    name: METRIC_NAMES.pushes,
    help: 'Push attempts by provider (webpush, apns, fcm) and outcome (sent, gone, retried, failed, dropped).',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  });

  // Known label values start at 0, so rates exist before the first event.
  for (const provider of PUSH_PROVIDERS) {
    for (const outcome of PUSH_OUTCOMES) pushes.inc({ provider, outcome }, 0);
  }
  for (const status of FINAL_CALL_STATUSES) callsEnded.inc({ status }, 0);
  for (const pool of POOLS) {
    keyClaims.inc({ pool, result: 'claimed' }, 0);
    keyClaims.inc({ pool, result: 'empty' }, 0);
  }
  for (const outcome of LOGIN_OUTCOMES) logins.inc({ outcome }, 0);

  return {
    registry,
    requestStarted() {
      inFlight.inc();
    },
    requestFinished(record: RequestRecord) {
      inFlight.dec();
      requestDuration.observe(
        { method: record.method, route: record.route, status: String(record.status) },
        record.durationMs / 1000,
      );
    },
    loginAttempted(outcome) {
      logins.inc({ outcome });
    },
    connectionOpened() {
      connections.inc();
    },
    connectionClosed() {
      connections.dec();
    },
    frameRelayed(type: Notification['type']) {
      // Counted per relayed frame: the child counter is looked up once per type.
      let child = framesRelayedByType.get(type);
      if (child === undefined) {
        child = framesRelayed.labels({ type });
        framesRelayedByType.set(type, child);
      }
      child.inc();
    },
    callEnded(status) {
      callsEnded.inc({ status });
    },
    oneTimeKeyClaimed(pool, result) {
      keyClaims.inc({ pool, result });
    },
    pushed(provider, outcome) {
      pushes.inc({ provider, outcome });
    },
    async expose(): Promise<MetricsExposition> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
