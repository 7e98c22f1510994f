/**
 * @module The load generator: one process (pinned to the load core) that the
 * orchestrator drives over RPC. HTTP load is autocannon's; socket load is
 * plain `ws` clients. Every loop here is bounded by a duration or a count.
 * Latencies are measured inside this process (sender and receiver share one
 * clock) and returned in milliseconds.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { serveRpc } from '../lib/proc.js';
import { latencySummary } from '../lib/stats.js';

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------- HTTP

async function runAutocannon(params: {
  url: string;
  connections: number;
  durationSec: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}) {
  const result = await autocannon({
    url: params.url,
    connections: params.connections,
    duration: params.durationSec,
    method: params.method ?? 'GET',
    headers: params.headers ?? {},
    ...(params.body === undefined ? {} : { body: params.body }),
    timeout: 20,
  });
  const total = result.requests.total;
  return {
    rps: total / Math.max(result.duration, 0.001),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function httpJson(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/**
 * Concurrent bundle fetches of one owner until every worker finds the EC pool
 * empty; counts every handed-out keyId, so duplicates show.
 */
async function claims(params: {
  url: string;
  ownerId: string;
  token: string;
  concurrency: number;
  maxRequests: number;
}) {
  const keyIds: number[] = [];
  const latencies: number[] = [];
  let errors = 0;
  let requests = 0;
  let lastClaimAt = 0;
  const started = now();
  const headers = { authorization: `Bearer ${params.token}` };
  await Promise.all(
    Array.from({ length: params.concurrency }, async () => {
      while (requests < params.maxRequests) {
        requests++;
        const t0 = now();
        const res = await httpJson(
          `${params.url}/api/keys/${params.ownerId}/bundle`,
          'GET',
          headers,
        );
        if (res.status !== 200) {
          errors++;
          if (errors > 50) return;
          continue;
        }
        const body = JSON.parse(res.text) as { oneTimePreKey: { keyId: number } | null };
        if (body.oneTimePreKey === null) return;
        latencies.push(now() - t0);
        keyIds.push(body.oneTimePreKey.keyId);
        lastClaimAt = now();
      }
    }),
  );
  const elapsedMs = lastClaimAt - started;
  return {
    claims: keyIds.length,
    unique: new Set(keyIds).size,
    duplicates: keyIds.length - new Set(keyIds).size,
    elapsedMs,
    perSec: (new Set(keyIds).size / Math.max(elapsedMs, 1)) * 1000,
    errors,
    ...latencySummary(latencies),
  };
}

/** Sequential logins (one at a time: no queueing) for `durationSec`. */
async function loginLoop(params: {
  url: string;
  phoneNumber: string;
  password: string;
  durationSec: number;
}) {
  const latencies: number[] = [];
  const body = JSON.stringify({ phoneNumber: params.phoneNumber, password: params.password });
  const headers = { 'content-type': 'application/json' };
  const deadline = now() + params.durationSec * 1000;
  let errors = 0;
  while (now() < deadline) {
    const t0 = now();
    const res = await httpJson(`${params.url}/api/auth/login`, 'POST', headers, body);
    if (res.status !== 200) errors++;
    else latencies.push(now() - t0);
  }
  return { errors, ...latencySummary(latencies) };
}

// ---------------------------------------------------------------- sockets

interface Peer {
  readonly userId: string;
  readonly token?: string;
}

interface Client {
  readonly ws: WebSocket;
  readonly userId: string;
  onFrame?: (type: string, payload: Record<string, unknown>) => void;
  /** When set, frames after `ready` go here unparsed (throughput runs: the load stays cheap). */
  onRaw?: (data: Buffer) => void;
  waiters: { type: string; resolve: (p: Record<string, unknown>) => void }[];
}

function wsUrlFor(base: string, peer: Peer, mode: 'product' | 'bare'): string {
  const url = new URL('/', base);
  url.protocol = 'ws:';
  if (mode === 'product') url.searchParams.set('token', peer.token ?? '');
  else url.searchParams.set('id', peer.userId);
  return url.toString();
}

function openClient(
  base: string,
  peer: Peer,
  mode: 'product' | 'bare',
  localAddress?: string,
): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrlFor(base, peer, mode), {
      perMessageDeflate: false,
      ...(localAddress ? { localAddress } : {}),
    });
    const client: Client = { ws, userId: peer.userId, waiters: [] };
    let ready = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no ready frame within 20 s'));
    }, 20_000);
    ws.on('message', (data: Buffer) => {
      if (ready && client.onRaw) {
        client.onRaw(data);
        return;
      }
      const frame = JSON.parse(data.toString('utf8')) as {
        type: string;
        payload: Record<string, unknown>;
      };
      if (!ready) {
        if (frame.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve(client);
        }
        return;
      }
      const i = client.waiters.findIndex((w) => w.type === frame.type);
      if (i >= 0) {
        const [w] = client.waiters.splice(i, 1);
        w!.resolve(frame.payload);
        return;
      }
      client.onFrame?.(frame.type, frame.payload);
    });
    ws.on('error', (error) => {
      clearTimeout(timer);
      if (!ready) reject(error);
    });
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
  });
}

function waitFrame(client: Client, type: string, ms = 5000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.waiters = client.waiters.filter((w) => w.resolve !== done);
      reject(new Error(`no ${type} frame within ${ms} ms`));
    }, ms);
    const done = (p: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(p);
    };
    client.waiters.push({ type, resolve: done });
  });
}

const send = (client: Client, type: string, payload: unknown) =>
  client.ws.send(JSON.stringify({ type, payload }));

interface PairSet {
  readonly mode: 'product' | 'bare';
  readonly pairs: { caller: Client; callee: Client; callId: string }[];
}

const pairSets = new Map<string, PairSet>();
let callCounter = 0;

/**
 * Connects each pair; in product mode the caller calls and the callee
 * accepts, so `ice-candidate` frames relay between them.
 */
async function openPairs(params: {
  key: string;
  mode: 'product' | 'bare';
  callerUrl: string;
  calleeUrl?: string;
  pairs: { caller: Peer; callee: Peer }[];
  call?: boolean;
}) {
  const set: PairSet = { mode: params.mode, pairs: [] };
  for (const pair of params.pairs) {
    const caller = await openClient(params.callerUrl, pair.caller, params.mode);
    const callee = await openClient(params.calleeUrl ?? params.callerUrl, pair.callee, params.mode);
    const callId = `bench-${process.pid}-${++callCounter}`;
    if (params.mode === 'product' && params.call !== false) {
      const ringing = waitFrame(callee, 'call-user', 5000);
      send(caller, 'call-user', { to: pair.callee.userId, callId, media: 'audio' });
      await ringing;
      const accepted = waitFrame(caller, 'call-accepted', 5000);
      send(callee, 'call-accepted', { callId });
      await accepted;
    }
    set.pairs.push({ caller, callee, callId });
  }
  pairSets.set(params.key, set);
  return { pairs: set.pairs.length };
}

/** True when a call from a client on `callerUrl` rings a client on `calleeUrl` (backplane probe). */
async function probeRing(params: {
  callerUrl: string;
  calleeUrl: string;
  caller: Peer;
  callee: Peer;
}) {
  const caller = await openClient(params.callerUrl, params.caller, 'product');
  const callee = await openClient(params.calleeUrl, params.callee, 'product');
  const callId = `probe-${process.pid}-${++callCounter}`;
  let rang = false;
  let answer = '';
  try {
    const ringing = waitFrame(callee, 'call-user', 3000).then(() => true);
    const unavailable = waitFrame(caller, 'call-unavailable', 3000).then(() => false);
    send(caller, 'call-user', { to: params.callee.userId, callId });
    rang = await Promise.any([ringing, unavailable]).catch(() => false);
    answer = rang ? 'rang' : 'call-unavailable or nothing';
    if (rang) send(caller, 'call-ended', { callId });
    await sleep(200);
  } finally {
    caller.ws.terminate();
    callee.ws.terminate();
  }
  return { rang, answer };
}

function closePairs(params: { key: string }) {
  const set = pairSets.get(params.key);
  if (!set) return { closed: 0 };
  for (const { caller, callee } of set.pairs) {
    caller.ws.close();
    callee.ws.close();
  }
  pairSets.delete(params.key);
  return { closed: set.pairs.length * 2 };
}

const CANDIDATE = {
  candidate: 'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

const ICE_PREFIX = '{"type":"ice-candidate",';

function relayFrame(set: PairSet, pair: PairSet['pairs'][number], seq: number) {
  const payload: Record<string, unknown> = { callId: pair.callId, ...CANDIDATE, seq };
  if (set.mode === 'bare') payload.to = pair.callee.userId;
  return JSON.stringify({ type: 'ice-candidate', payload });
}

/** Closed loop: each caller keeps `window` frames in flight to its callee for `durationSec`. */
async function relayThroughput(params: { key: string; durationSec: number; window: number }) {
  const set = pairSets.get(params.key);
  if (!set) throw new Error(`no pair set ${params.key}`);
  let received = 0;
  let stopped = false;
  const done: Promise<void>[] = [];
  for (const pair of set.pairs) {
    let inFlight = 0;
    let resolveDrained: () => void = () => {};
    done.push(new Promise((r) => (resolveDrained = r)));
    // One serialized frame per pair, sent again and again; arrivals are recognized by their prefix.
    const frame = relayFrame(set, pair, 0);
    const send = () => pair.caller.ws.send(frame);
    const pumpFast = () => {
      while (!stopped && inFlight < params.window) {
        inFlight++;
        send();
      }
      if (stopped && inFlight === 0) resolveDrained();
    };
    pair.callee.onRaw = (data) => {
      if (data.subarray(0, ICE_PREFIX.length).toString('latin1') !== ICE_PREFIX) return;
      inFlight--;
      received++;
      pumpFast();
    };
    pumpFast();
  }
  const started = now();
  await sleep(params.durationSec * 1000);
  const countAtEnd = received;
  const elapsed = now() - started;
  stopped = true;
  // Drain (bounded) so the next run starts clean.
  await Promise.race([Promise.all(done), sleep(5000)]);
  for (const pair of set.pairs) pair.callee.onRaw = undefined;
  return { framesPerSec: (countAtEnd / elapsed) * 1000, frames: countAtEnd };
}

/** Open loop: frames at `rate` per second spread over the pairs; latency send → callee. */
/**
 * Open loop: frames at `rate` per second spread over the pairs of `keys`
 * (round robin across the sets, so several sets share one time window and the
 * same noise); latency send → callee, per set and overall.
 */
async function relayLatencyOf(keys: readonly string[], durationSec: number, rate: number) {
  const sets = keys.map((key) => {
    const set = pairSets.get(key);
    if (!set) throw new Error(`no pair set ${key}`);
    return set;
  });
  const sentAt = new Map<number, number>();
  const latencies = keys.map((): number[] => []);
  sets.forEach((set, k) => {
    for (const pair of set.pairs) {
      pair.callee.onFrame = (type, payload) => {
        if (type !== 'ice-candidate') return;
        const t0 = sentAt.get(payload.seq as number);
        if (t0 === undefined) return;
        latencies[k]!.push(now() - t0);
        sentAt.delete(payload.seq as number);
      };
    }
  });
  const total = Math.max(1, Math.round(rate * durationSec));
  const interval = 1000 / rate;
  const started = now();
  for (let seq = 1; seq <= total; seq++) {
    const due = started + (seq - 1) * interval;
    const wait = due - now();
    if (wait > 1) await sleep(wait);
    const set = sets[seq % sets.length]!;
    const pair = set.pairs[Math.floor(seq / sets.length) % set.pairs.length]!;
    sentAt.set(seq, now());
    pair.caller.ws.send(relayFrame(set, pair, seq));
  }
  const deadline = now() + 5000;
  while (sentAt.size > 0 && now() < deadline) await sleep(10);
  for (const set of sets) for (const pair of set.pairs) pair.callee.onFrame = undefined;
  return {
    lost: sentAt.size,
    ...latencySummary(latencies.flat()),
    byKey: Object.fromEntries(keys.map((key, k) => [key, latencySummary(latencies[k]!)])),
  };
}

function relayLatency(params: { key: string; durationSec: number; rate: number }) {
  return relayLatencyOf([params.key], params.durationSec, params.rate);
}

function relayLatencyInterleaved(params: { keys: string[]; durationSec: number; rate: number }) {
  return relayLatencyOf(params.keys, params.durationSec, params.rate);
}

// ---------------------------------------------------------- message push

interface PushSet {
  readonly mode: 'product' | 'bare';
  readonly url: string;
  readonly pairs: { sender: Peer; senderWs?: Client; receiver: Client }[];
}

const pushSets = new Map<string, PushSet>();

async function openPush(params: {
  key: string;
  mode: 'product' | 'bare';
  url: string;
  pairs: { sender: Peer; receiver: Peer }[];
}) {
  const set: PushSet = { mode: params.mode, url: params.url, pairs: [] };
  for (const pair of params.pairs) {
    const receiver = await openClient(params.url, pair.receiver, params.mode);
    const senderWs =
      params.mode === 'bare' ? await openClient(params.url, pair.sender, 'bare') : undefined;
    set.pairs.push({ sender: pair.sender, receiver, ...(senderWs ? { senderWs } : {}) });
  }
  pushSets.set(params.key, set);
  return { pairs: set.pairs.length };
}

function closePush(params: { key: string }) {
  const set = pushSets.get(params.key);
  for (const pair of set?.pairs ?? []) {
    pair.receiver.ws.close();
    pair.senderWs?.ws.close();
  }
  pushSets.delete(params.key);
  return {};
}

/**
 * Sends messages for `durationSec` and measures send → receipt on the
 * receiver's socket. `rate` > 0: open loop at that rate; else closed loop
 * with `concurrency` messages in flight (capacity).
 */
async function push(params: {
  key: string;
  durationSec: number;
  rate: number;
  concurrency?: number;
}) {
  const run = await pushRun(params);
  return {
    sent: run.sent,
    perSec: (run.latencies.length / run.elapsed) * 1000,
    lost: run.lost,
    errors: run.errors,
    firstError: run.firstError,
    ...latencySummary(run.latencies),
  };
}

/** Load-generator GC pauses (this process), so a measurement can tell its own stalls. */
const gcPauses: { start: number; duration: number }[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcPauses.push({ start: entry.startTime, duration: entry.duration });
  }
  if (gcPauses.length > 10_000) gcPauses.splice(0, gcPauses.length - 10_000);
}).observe({ entryTypes: ['gc'] });

/**
 * Open loop at `rate` over the sets of `keys`, in `slices` turns of
 * `sliceSec` each: every turn gives each set one slice, in an order rotated
 * from turn to turn, so the sets share one stretch of time (and its noise)
 * without ever loading the server core together. Per set: p50/p99 over all
 * its slices' samples, and this process's GC pauses during its slices.
 */
async function pushInterleaved(params: {
  keys: string[];
  slices: number;
  sliceSec: number;
  rate: number;
  /** Per key, the file its server logs its GC pauses to (bench/lib/gc-log.mjs), if any. */
  serverGcLogs?: (string | null)[];
}) {
  const samples = params.keys.map((): number[] => []);
  /** Per key, every sample's [start, latency] and its slices' [begin, end], for the server's pauses. */
  const timed = params.keys.map((): [number, number][] => []);
  const windows = params.keys.map((): [number, number][] => []);
  // The samples no GC pause of this process overlapped: what the server alone took.
  const gcClear = params.keys.map((): number[] => []);
  const totals = params.keys.map(() => ({
    sent: 0,
    lost: 0,
    errors: 0,
    firstError: null as string | null,
    gcMs: 0,
    gcMaxMs: 0,
    loadCpuMs: 0,
    sideMs: 0,
  }));
  // How late this process's timers ran during each side's slices: a frame that arrives while
  // the load process is busy (an HTTP client per product send) waits as long, and counts.
  const lag = params.keys.map(() => monitorEventLoopDelay({ resolution: 1 }));
  for (let turn = 0; turn < params.slices; turn++) {
    for (let k = 0; k < params.keys.length; k++) {
      const i = (k + turn) % params.keys.length;
      const begin = now();
      const cpu = process.cpuUsage();
      lag[i]!.enable();
      const run = await pushRun({
        key: params.keys[i]!,
        durationSec: params.sliceSec,
        rate: params.rate,
      });
      lag[i]!.disable();
      const { user, system } = process.cpuUsage(cpu);
      const end = now();
      windows[i]!.push([begin, end]);
      const pauses = gcPauses.filter((pause) => pause.start + pause.duration >= begin);
      run.latencies.forEach((v, j) => {
        const t0 = run.startedAt[j]!;
        samples[i]!.push(v);
        timed[i]!.push([t0, v]);
        const overlapped = pauses.some(
          (pause) => pause.start < t0 + v && pause.start + pause.duration > t0,
        );
        if (!overlapped) gcClear[i]!.push(v);
      });
      const total = totals[i]!;
      total.sent += run.sent;
      total.lost += run.lost;
      total.errors += run.errors;
      total.firstError ??= run.firstError;
      total.loadCpuMs += (user + system) / 1000;
      total.sideMs += end - begin;
      for (const pause of gcPauses) {
        if (pause.start < begin || pause.start > end) continue;
        total.gcMs += pause.duration;
        total.gcMaxMs = Math.max(total.gcMaxMs, pause.duration);
      }
    }
  }
  // The last pause's line may still be on its way.
  await sleep(100);
  return Object.fromEntries(
    params.keys.map((key, i) => [
      key,
      {
        ...totals[i]!,
        ...latencySummary(samples[i]!),
        gcClear: latencySummary(gcClear[i]!),
        loadLagP99Ms: lag[i]!.percentile(99) / 1e6,
        serverGc: serverGcOf(params.serverGcLogs?.[i] ?? null, windows[i]!, timed[i]!),
      },
    ]),
  );
}

/**
 * A server's GC pauses during a side's slices (from its gc-log file, on this
 * process's clock): how many, their total and longest, how many of them were
 * mark-compacts (major) and how long those took, how many samples one
 * overlapped, and the p50/p99 of the samples none did.
 */
function serverGcOf(
  file: string | null,
  windows: readonly [number, number][],
  timed: readonly [number, number][],
) {
  if (file === null) return null;
  const pauses = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [start, duration, kind] = line.split(' ') as [string, string, string | undefined];
      return {
        start: Number(start) - performance.timeOrigin,
        duration: Number(duration),
        major: kind === 'major',
      };
    });
  const during = pauses.filter((p) => windows.some(([b, e]) => p.start >= b && p.start <= e));
  const majors = during.filter((p) => p.major);
  const clear = timed
    .filter(([t0, v]) => !pauses.some((p) => p.start < t0 + v && p.start + p.duration > t0))
    .map(([, v]) => v);
  return {
    pauses: during.length,
    totalMs: during.reduce((a, p) => a + p.duration, 0),
    maxMs: Math.max(0, ...during.map((p) => p.duration)),
    majorPauses: majors.length,
    majorMs: majors.reduce((a, p) => a + p.duration, 0),
    overlapped: timed.length - clear.length,
    clear: latencySummary(clear),
  };
}

/** One open- or closed-loop run over a push set; the raw latencies (ms) of what arrived. */
async function pushRun(params: {
  key: string;
  durationSec: number;
  rate: number;
  concurrency?: number;
}) {
  const set = pushSets.get(params.key);
  if (!set) throw new Error(`no push set ${params.key}`);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  /** When each latency's measurement began (same index). */
  const startedAt: number[] = [];
  const waiting = new Map<string, () => void>();
  let errors = 0;
  /** Why the first failed send failed (status or socket error), for the report. */
  let firstError: string | null = null;
  for (const pair of set.pairs) {
    pair.receiver.onFrame = (type, payload) => {
      const tag = (set.mode === 'product' ? payload.content : payload.tag) as string | undefined;
      if (tag === undefined) return;
      const t0 = sentAt.get(tag);
      if (t0 === undefined) return;
      latencies.push(now() - t0);
      startedAt.push(t0);
      sentAt.delete(tag);
      waiting.get(tag)?.();
      waiting.delete(tag);
      void type;
    };
  }
  let seq = 0;
  const sendOne = (pair: PushSet['pairs'][number]): Promise<void> => {
    const tag = `m${process.pid}-${++seq}`;
    const delivered = new Promise<void>((r) => waiting.set(tag, r));
    sentAt.set(tag, now());
    if (set.mode === 'bare') {
      pair.senderWs!.ws.send(
        JSON.stringify({
          type: 'new-message',
          payload: { to: pair.receiver.userId, tag, content: tag, messageType: 'text' },
        }),
      );
      return delivered;
    }
    const failed = (reason: string) => {
      errors++;
      firstError ??= reason;
      sentAt.delete(tag);
      waiting.get(tag)?.();
      waiting.delete(tag);
    };
    const body = JSON.stringify({ receiverId: pair.receiver.userId, content: tag });
    const sent = httpJson(
      `${set.url}/api/chat/send`,
      'POST',
      { 'content-type': 'application/json', authorization: `Bearer ${pair.sender.token}` },
      body,
    ).then(
      (res) => {
        if (res.status !== 201) failed(`HTTP ${res.status}`);
      },
      // Handled here, at once: the open loop awaits its timer while sends are in flight, and
      // a rejection nothing handles yet would end this process.
      (error: unknown) => failed(error instanceof Error ? error.message : String(error)),
    );
    return Promise.all([sent, delivered]).then(() => {});
  };

  const started = now();
  const deadline = started + params.durationSec * 1000;
  let sent = 0;
  if (params.rate > 0) {
    const interval = 1000 / params.rate;
    const inflight: Promise<void>[] = [];
    for (let i = 0; now() < deadline; i++) {
      const due = started + i * interval;
      const wait = due - now();
      if (wait > 1) await sleep(wait);
      inflight.push(sendOne(set.pairs[i % set.pairs.length]!));
      sent++;
    }
    await Promise.race([Promise.all(inflight), sleep(10_000)]);
  } else {
    const concurrency = params.concurrency ?? 16;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        for (let i = w; now() < deadline; i += concurrency) {
          await Promise.race([sendOne(set.pairs[i % set.pairs.length]!), sleep(10_000)]);
          sent++;
        }
      }),
    );
  }
  const elapsed = now() - started;
  for (const pair of set.pairs) pair.receiver.onFrame = undefined;
  return { sent, elapsed, lost: sentAt.size, errors, firstError, latencies, startedAt };
}

// ------------------------------------------------ many senders, one user

interface FanInSet {
  readonly url: string;
  readonly senders: Peer[];
  readonly receiver: Client;
  /** `new-message` frames the receiver got so far. */
  received: number;
}

const fanInSets = new Map<string, FanInSet>();
const NEW_MESSAGE_PREFIX = '{"type":"new-message"';

/** Opens the receiver's one socket; the senders send over HTTP only. */
async function openFanIn(params: { key: string; url: string; receiver: Peer; senders: Peer[] }) {
  const receiver = await openClient(params.url, params.receiver, 'product');
  const set: FanInSet = { url: params.url, senders: params.senders, receiver, received: 0 };
  // Counted by prefix, not parsed: the load stays cheap.
  receiver.onRaw = (data) => {
    if (data.subarray(0, NEW_MESSAGE_PREFIX.length).toString('latin1') === NEW_MESSAGE_PREFIX) {
      set.received++;
    }
  };
  fanInSets.set(params.key, set);
  return { senders: set.senders.length };
}

function closeFanIn(params: { key: string }) {
  fanInSets.get(params.key)?.receiver.ws.close();
  fanInSets.delete(params.key);
  return {};
}

/**
 * Closed loop: every sender sends `POST /api/chat/send` to the one receiver,
 * one at a time, for `durationSec`; sends/s counts the `201` answers. Then
 * waits (bounded) until the receiver's socket got every one of them.
 */
async function fanIn(params: { key: string; durationSec: number }) {
  const set = fanInSets.get(params.key);
  if (!set) throw new Error(`no fan-in set ${params.key}`);
  const receivedBefore = set.received;
  const latencies: number[] = [];
  let created = 0;
  let errors = 0;
  let seq = 0;
  const started = now();
  const deadline = started + params.durationSec * 1000;
  await Promise.all(
    set.senders.map(async (sender) => {
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${sender.token}`,
      };
      while (now() < deadline && errors <= 50) {
        const body = JSON.stringify({
          receiverId: set.receiver.userId,
          content: `f${process.pid}-${++seq}`,
        });
        const t0 = now();
        const res = await httpJson(`${set.url}/api/chat/send`, 'POST', headers, body).catch(() => ({
          status: 0,
          text: '',
        }));
        if (res.status === 201) {
          created++;
          latencies.push(now() - t0);
        } else errors++;
      }
    }),
  );
  const elapsed = now() - started;
  const drainUntil = now() + 5000;
  while (set.received - receivedBefore < created && now() < drainUntil) await sleep(10);
  return {
    perSec: (created / elapsed) * 1000,
    created,
    errors,
    lost: created - (set.received - receivedBefore),
    ...latencySummary(latencies),
  };
}

// ---------------------------------------------------------- idle sockets

const idle: WebSocket[] = [];

/**
 * Opens `count` sockets (`concurrency` handshakes at a time), source
 * addresses cycling through `localAddresses`, each waiting for its `ready`
 * frame; they then stay open and silent (pongs aside) until `idleClose`.
 */
async function idleOpen(params: {
  url: string;
  mode: 'product' | 'bare';
  peers: Peer[];
  count: number;
  offset: number;
  localAddresses: string[];
  concurrency: number;
}) {
  let next = 0;
  let failures = 0;
  let firstError = '';
  const started = now();
  await Promise.all(
    Array.from({ length: params.concurrency }, async () => {
      while (next < params.count) {
        const i = next++;
        const peer = params.peers[(params.offset + i) % params.peers.length]!;
        const local = params.localAddresses[i % params.localAddresses.length];
        try {
          const client = await openClient(params.url, peer, params.mode, local);
          client.ws.removeAllListeners('message');
          idle.push(client.ws);
        } catch (error) {
          failures++;
          firstError ||= error instanceof Error ? error.message : String(error);
          if (failures > 50) return;
        }
      }
    }),
  );
  return { open: idle.length, failures, firstError, seconds: (now() - started) / 1000 };
}

async function idleClose() {
  const n = idle.length;
  for (const ws of idle.splice(0)) ws.terminate();
  await sleep(200);
  return { closed: n };
}

// ------------------------------------------------------------------ redis

/**
 * PING round trips from this process. Back to back by default; with
 * `intervalMs`, one PING every `intervalMs` (a timer in between), so that,
 * like a relayed frame at that rate, each round trip starts with both this
 * process and Redis idle.
 */
async function redisPing(params: { url: string; count: number; intervalMs?: number }) {
  const redis = new Redis(params.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const latencies: number[] = [];
  for (let i = 0; i < Math.min(params.count, 100); i++) await redis.ping();
  for (let i = 0; i < params.count; i++) {
    if (params.intervalMs !== undefined) await sleep(params.intervalMs);
    const t0 = now();
    await redis.ping();
    latencies.push(now() - t0);
  }
  redis.disconnect();
  return latencySummary(latencies);
}

serveRpc({
  autocannon: runAutocannon,
  claims,
  loginLoop,
  openPairs,
  probeRing,
  closePairs,
  relayThroughput,
  relayLatency,
  relayLatencyInterleaved,
  openPush,
  closePush,
  push,
  pushInterleaved,
  openFanIn,
  closeFanIn,
  fanIn,
  idleOpen,
  idleClose,
  redisPing,
});
