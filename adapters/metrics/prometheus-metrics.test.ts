import { describe, expect, it } from 'vitest';
import type { CallId, CallRecord, UserId } from '../../core/index.js';
import { plainEcKey, plainPreKeys, plainSignature } from '../../test/support/libsignal-keys.js';
import { createMemoryCallRepository } from '../memory/call-repository.js';
import { createMemoryKeyBundleRepository } from '../memory/key-bundle-repository.js';
import { createMemoryNotifier } from '../wire/local-notifier.js';
import {
  instrumentCallRepository,
  instrumentConnections,
  instrumentKeyBundleRepository,
} from './instrument.js';
import { createPrometheusMetrics, METRIC_NAMES } from './prometheus-metrics.js';

const alice = '65a1b2c3d4e5f60718293a4b' as UserId;
const bob = '65a1b2c3d4e5f60718293a4c' as UserId;

/** The value of one series in a Prometheus text exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(metrics: ReturnType<typeof createPrometheusMetrics>): Promise<string> {
  return (await metrics.expose()).body;
}

function ringing(id: string): CallRecord {
  return {
    id: id as CallId,
    callerId: alice,
    calleeId: bob,
    media: 'audio',
    status: 'ringing',
    startedAt: new Date('2026-03-01T12:00:00Z'),
    answeredAt: null,
    endedAt: null,
    durationSec: null,
    endReason: null,
  };
}

describe('createPrometheusMetrics', () => {
  it('records requests by method, route and status, and the requests in flight', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    metrics.requestStarted();
    metrics.requestStarted();
    expect(sample(await scrape(metrics), METRIC_NAMES.httpRequestsInFlight)).toBe(2);
    const record = { requestId: 'r', method: 'GET', route: '/api/users/:userId/profile' };
    metrics.requestFinished({ ...record, status: 200, durationMs: 3 });
    metrics.requestFinished({ ...record, status: 200, durationMs: 300 });

    const text = await scrape(metrics);
    const labels = 'method="GET",route="/api/users/:userId/profile",status="200"';
    const histogram = METRIC_NAMES.httpRequestDuration;
    expect(sample(text, `${histogram}_count{${labels}}`)).toBe(2);
    expect(sample(text, `${histogram}_sum{${labels}}`)).toBeCloseTo(0.303);
    expect(sample(text, `${histogram}_bucket{le="0.005",${labels}}`)).toBe(1);
    expect(sample(text, `${histogram}_bucket{le="0.5",${labels}}`)).toBe(2);
    expect(sample(text, METRIC_NAMES.httpRequestsInFlight)).toBe(0);
    expect((await metrics.expose()).contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('starts every login outcome, call status and key pool at 0', async () => {
    const text = await scrape(createPrometheusMetrics({ defaultMetrics: false }));
    expect(sample(text, `${METRIC_NAMES.logins}{outcome="invalid_credentials"}`)).toBe(0);
    expect(sample(text, `${METRIC_NAMES.callsEnded}{status="completed"}`)).toBe(0);
    expect(sample(text, `${METRIC_NAMES.oneTimeKeyClaims}{pool="kyber",result="empty"}`)).toBe(0);
  });

  it('keeps each instance in a registry of its own, default metrics included', async () => {
    const one = createPrometheusMetrics();
    const two = createPrometheusMetrics();
    one.loginAttempted('success');
    one.loginAttempted('success');
    two.loginAttempted('invalid_credentials');

    const [first, second] = [await scrape(one), await scrape(two)];
    expect(sample(first, `${METRIC_NAMES.logins}{outcome="success"}`)).toBe(2);
    expect(sample(second, `${METRIC_NAMES.logins}{outcome="success"}`)).toBe(0);
    expect(sample(second, `${METRIC_NAMES.logins}{outcome="invalid_credentials"}`)).toBe(1);
    for (const text of [first, second]) {
      expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
      expect(text).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
      expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
      expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    }
  });
});

describe('port decorators', () => {
  it('counts calls by final status once, whether inserted final or finished later', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    const calls = instrumentCallRepository(createMemoryCallRepository(), metrics);
    const end = { endedAt: new Date('2026-03-01T12:01:00Z'), durationSec: null };

    await calls.insert(ringing('c1'));
    await calls.insert({ ...ringing('c2'), status: 'busy', endReason: 'busy' });
    await calls.insert({ ...ringing('c2'), status: 'busy', endReason: 'busy' }); // taken: not stored
    expect(
      await calls.finish('c1' as CallId, { ...end, status: 'missed', endReason: 'timeout' }),
    ).toBe(true);
    expect(
      await calls.finish('c1' as CallId, { ...end, status: 'completed', endReason: 'hangup' }),
    ).toBe(false);

    const text = await scrape(metrics);
    expect(sample(text, `${METRIC_NAMES.callsEnded}{status="busy"}`)).toBe(1);
    expect(sample(text, `${METRIC_NAMES.callsEnded}{status="missed"}`)).toBe(1);
    expect(sample(text, `${METRIC_NAMES.callsEnded}{status="completed"}`)).toBe(0);
    expect((await calls.findById('c1'))?.status).toBe('missed');
  });

  it('counts one-time key claims per pool, and the empty ones', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    const keys = instrumentKeyBundleRepository(createMemoryKeyBundleRepository(), metrics);
    await keys.publish(
      alice,
      {
        identityKey: plainEcKey(1),
        registrationId: 1,
        signedPreKey: { keyId: 1, publicKey: plainEcKey(2), signature: plainSignature(1) },
        kyberPreKey: null,
        generation: 'g1',
      },
      { preKeys: plainPreKeys([1, 2]), kyberPreKeys: [] },
    );
    expect(await keys.claimPreKey(alice, 'g1')).toMatchObject({ keyId: 1 });
    expect(await keys.claimPreKey(alice, 'g1')).toMatchObject({ keyId: 2 });
    expect(await keys.claimPreKey(alice, 'g1')).toBeNull();
    expect(await keys.claimKyberPreKey(alice, 'g1')).toBeNull();

    const text = await scrape(metrics);
    const claims = METRIC_NAMES.oneTimeKeyClaims;
    expect(sample(text, `${claims}{pool="ec",result="claimed"}`)).toBe(2);
    expect(sample(text, `${claims}{pool="ec",result="empty"}`)).toBe(1);
    expect(sample(text, `${claims}{pool="kyber",result="claimed"}`)).toBe(0);
    expect(sample(text, `${claims}{pool="kyber",result="empty"}`)).toBe(1);
  });

  it('counts open connections and the pushes relayed to them by type', async () => {
    const metrics = createPrometheusMetrics({ defaultMetrics: false });
    const notifier = createMemoryNotifier();
    const registry = instrumentConnections(notifier, metrics);
    const received: string[] = [];
    const closeFirst = registry.subscribe(alice, 'c1', (n) => received.push(`c1 ${n.type}`));
    registry.subscribe(alice, 'c2', (n) => received.push(`c2 ${n.type}`));
    expect(sample(await scrape(metrics), METRIC_NAMES.wsConnections)).toBe(2);

    const counts = { count: 3, kyberCount: 0 };
    await notifier.notify(alice, { type: 'prekeys-low', counts });
    await notifier.notifyConnection(alice, 'c2', { type: 'prekeys-low', counts });
    closeFirst();
    closeFirst();

    const text = await scrape(metrics);
    expect(received).toEqual(['c1 prekeys-low', 'c2 prekeys-low', 'c2 prekeys-low']);
    expect(sample(text, `${METRIC_NAMES.wsFramesRelayed}{type="prekeys-low"}`)).toBe(3);
    expect(sample(text, METRIC_NAMES.wsConnections)).toBe(1);
  });
});
