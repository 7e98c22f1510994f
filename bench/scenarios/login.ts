/**
 * @module Login cost and isolation. (1) `POST /api/auth/login` p50, one login
 * at a time, against a raw argon2id hash p50 with the product's parameters in
 * a process pinned like the server. (2) Signaling relay p99 while logins
 * saturate the server (8 concurrent, from a second load process) against the
 * same relay p99 with the server otherwise idle. For (1)'s accounting, the
 * same rounds also time a bare node:http login (baselines/login-floor.ts)
 * with either hasher: what an HTTP round trip around a hash costs before any
 * route work, and what the low-priority hashing threads add to it. For
 * (2), the same bare login with the product's hasher also carries a bare `ws`
 * relay in its process: the same flood and relay there give the row a floor
 * (what any one-process server hashing this way sees), for information. To
 * split the product's own share, the same rounds time the product and the
 * bare login with a timer in place of the hash (nothing evicts the core's
 * caches while it waits), then again once a flood of timed logins has made
 * the product's login route hot.
 */
import { alternate, type Ctx, type Scenario } from '../lib/context.js';
import { type BenchUser, registerUsers, startProduct } from '../lib/product.js';
import { row, sideOfRuns } from '../lib/report.js';
import { median, round } from '../lib/stats.js';

const PAIRS = 4;
const RELAY_RATE = 200;
const FLOOD_CONNECTIONS = 8;
/** The timer that stands in for a hash: about one hash of this machine. */
const HASH_MS = 10;
/** Connections and seconds of the flood that makes the timed product's login route hot. */
const HOT_CONNECTIONS = 64;
const HOT_SECONDS = 5;

interface Lat {
  p50: number;
  p99: number;
  n: number;
}

export const loginScenario: Scenario = {
  id: 'login',
  title: 'Login vs raw argon2id; relay p99 while logins saturate',
  async run(ctx: Ctx) {
    const { settings } = ctx;
    const product = await startProduct({ name: 'product (memory)' });
    const load = await ctx.loadWorker();
    const flood = await ctx.loadWorker('login flood');
    const argon = await ctx.serverWorker('baselines/argon2-worker.ts', 'raw argon2id');
    const floor = await ctx.serverWorker('baselines/login-floor.ts', 'bare HTTP login');
    const timed = await startProduct({
      name: 'product, timer for a hash',
      script: 'bench/baselines/product-timer-hasher.ts',
      env: { BENCH_HASH_MS: String(HASH_MS) },
    });
    try {
      const users = await registerUsers(product.url, PAIRS * 2 + 1);
      const loginUser: BenchUser = users[PAIRS * 2]!;
      const pairs = Array.from({ length: PAIRS }, (_, i) => ({
        caller: users[2 * i]!,
        callee: users[2 * i + 1]!,
      }));
      await load.call('openPairs', {
        key: 'relay',
        mode: 'product',
        callerUrl: product.url,
        pairs,
      });

      const loginsAt = (url: string, user: BenchUser) => (seconds: number) => () =>
        load.call<Lat & { errors: number }>('loginLoop', {
          url,
          phoneNumber: user.phoneNumber,
          password: user.password,
          durationSec: seconds,
        });
      // `connections` logins at a time for `seconds`, from the flood worker.
      const floodLogins = (url: string, user: BenchUser, connections: number, seconds: number) =>
        flood.call<{ rps: number }>('autocannon', {
          url: `${url}/api/auth/login`,
          method: 'POST',
          connections,
          durationSec: seconds,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phoneNumber: user.phoneNumber, password: user.password }),
        });
      const login = loginsAt(product.url, loginUser);
      const hash = (seconds: number) => () => argon.call<Lat>('hashLoop', { durationSec: seconds });
      const floorUrls = await floor.call<{ libuv: string; isolated: string; timer: string }>(
        'start',
        { phoneNumber: loginUser.phoneNumber, password: loginUser.password, hashMs: HASH_MS },
      );
      const bare = (url: string) => loginsAt(url, loginUser);
      const [timedUser] = await registerUsers(timed.url, 1);
      const timedLogin = loginsAt(timed.url, timedUser!);
      const bareTimer = bare(floorUrls.timer);
      await load.call('openPairs', {
        key: 'floor-relay',
        mode: 'bare',
        callerUrl: floorUrls.isolated,
        pairs,
      });
      const bareLibuv = bare(floorUrls.libuv);
      const bareIsolated = bare(floorUrls.isolated);
      ctx.log('login: warm-up');
      await login(settings.warmupSec)();
      await hash(settings.warmupSec)();
      await bareLibuv(settings.warmupSec)();
      await bareIsolated(settings.warmupSec)();
      await timedLogin(settings.warmupSec)();
      await bareTimer(settings.warmupSec)();
      ctx.log(`login: ${settings.rounds} rounds × (login, hash, bare login ×2, both with a timer)`);
      const [l, h, bl, bi, tl, tb] = await alternate<Lat & { errors?: number }>(settings.rounds, [
        login(settings.seconds),
        hash(settings.seconds),
        bareLibuv(settings.seconds),
        bareIsolated(settings.seconds),
        timedLogin(settings.seconds),
        bareTimer(settings.seconds),
      ]);
      ctx.log('login: the timed product made hot by a flood of timed logins, then timed again');
      const hot = await floodLogins(timed.url, timedUser!, HOT_CONNECTIONS, HOT_SECONDS);
      const [tlHot, tbHot] = await alternate<Lat & { errors?: number }>(settings.rounds, [
        timedLogin(settings.seconds),
        bareTimer(settings.seconds),
      ]);
      await timed.stop();

      const floodRpsOf: Record<string, number[]> = { relay: [], 'floor-relay': [] };
      const relayIdleOf = (key: string) => () =>
        load.call<Lat>('relayLatency', {
          key,
          durationSec: settings.seconds,
          rate: RELAY_RATE,
        });
      const relayBusyOf = (key: string, base: string) => async () => {
        const flooding = floodLogins(base, loginUser, FLOOD_CONNECTIONS, settings.seconds + 1.5);
        await new Promise((r) => setTimeout(r, 700));
        const result = await relayIdleOf(key)();
        floodRpsOf[key]!.push((await flooding).rps);
        return result;
      };
      await relayIdleOf('relay')();
      await relayIdleOf('floor-relay')();
      const [idle, busy, floorIdle, floorBusy] = await alternate(settings.rounds, [
        relayIdleOf('relay'),
        relayBusyOf('relay', product.url),
        relayIdleOf('floor-relay'),
        relayBusyOf('floor-relay', floorUrls.isolated),
      ]);
      const floodRps = floodRpsOf.relay!;
      const latSide = (label: string, runs: Lat[], key: 'p50' | 'p99') =>
        sideOfRuns(label, 'ms', runs, (r) => r[key]);
      const rows = [
        row({
          scenario: 'login',
          title: 'login',
          metric: 'login p50 (one at a time) vs raw argon2id hash p50',
          product: latSide('login', l!, 'p50'),
          baseline: latSide('argon2id hash', h!, 'p50'),
          target: { op: '<=', value: 1.15, text: '≤ 1.15×' },
          // A login is an HTTP request around the hash: a bare one, with the product's hasher.
          floor: {
            label: "bare login with the product's hasher",
            ratios: bi!.map((r, n) => r.p50 / h![n]!.p50),
          },
        }),
        row({
          scenario: 'login',
          title: 'login',
          metric: `relay p99 (${RELAY_RATE} frames/s) while ${FLOOD_CONNECTIONS} concurrent logins saturate vs idle`,
          product: latSide('during logins', busy!, 'p99'),
          baseline: latSide('idle', idle!, 'p99'),
          target: { op: '<=', value: 2, text: '≤ 2×' },
          // Logins hash on the server's one core: a bare relay beside the same hasher, idle vs busy.
          floor: {
            label: 'bare relay beside the bare login',
            ratios: floorBusy!.map((r, n) => r.p99 / floorIdle![n]!.p99),
          },
        }),
        row({
          scenario: 'login',
          title: 'login',
          metric: `the same for a bare relay beside the bare login with the product's hasher, in one process (information)`,
          product: latSide('bare, during logins', floorBusy!, 'p99'),
          baseline: latSide('bare, idle', floorIdle!, 'p99'),
          target: null,
        }),
      ];
      const perRound = (runs: Lat[]) => runs.map((r, i) => r.p50 / h![i]!.p50);
      const ms = (runs: Lat[]) => round(median(runs.map((r) => r.p50)), 2);
      const times = (runs: Lat[]) => round(median(perRound(runs)), 3);
      // The product's own share: per-round difference of p50s from the bare login beside it.
      const over = (runs: Lat[], bareRuns: Lat[]) =>
        round(median(runs.map((r, i) => r.p50 - bareRuns[i]!.p50)), 2);
      const notes = [
        `Login accounting (p50s, medians over rounds; × = per-round ratio to the raw hash): raw hash ${ms(h!)} ms; ` +
          `a bare node:http login (JSON body, Map lookup, HMAC token, JSON answer; baselines/login-floor.ts) hashing with @node-rs/argon2's async verify on libuv's pool ${ms(bl!)} ms (${times(bl!)}×), ` +
          `the same with the product's hasher (low-priority piscina threads) ${ms(bi!)} ms (${times(bi!)}×), the product ${ms(l!)} ms (${times(l!)}×). ` +
          "What separates the raw hash from a bare login is the HTTP round trip from the load core and the wake of a server core left idle between logins, run with caches the 19 MiB hash has just flushed; the two bare logins differ only in the hasher; what separates the product from the bare login with its own hasher is the product's route (framework, body reading and validation, session, security headers, metrics).",
        `The product's share (per-round differences of p50s from the bare login beside it): ${over(l!, bi!)} ms with real hashes; ` +
          `${over(tl!, tb!)} ms with a ${HASH_MS} ms timer in place of the hash in both (baselines/product-timer-hasher.ts, the product with its hasher swapped, ${ms(tl!)} ms, against the bare login's timer, ${ms(tb!)} ms), where no hash runs on the core; ` +
          `${over(tlHot!, tbHot!)} ms (${ms(tlHot!)} against ${ms(tbHot!)} ms) once ${Math.round(hot.rps * HOT_SECONDS)} timed logins (${HOT_CONNECTIONS} at a time for ${HOT_SECONDS} s) have made the product's login route hot. ` +
          'The timer rows are what the route costs one login at a time on a core no hash has just used, and what is left of it once V8 has optimized it; the gap to the real-hash difference comes with the hash running on the same core as the route.',
        `login flood throughput: ${round(median(floodRps), 1)} logins/s on the product, ${round(median(floodRpsOf['floor-relay']!), 1)} on the bare login (autocannon, ${FLOOD_CONNECTIONS} connections); login errors in the sequential loop: ${l!.reduce((a, r) => a + (r.errors ?? 0), 0)}`,
        'The product hashes on 2 worker threads of the lowest priority (nice 19, ARGON2_THREADS), queueing the rest; with the server pinned to one core those threads share that core with the event loop, which goes first. The baseline hashes at normal priority.',
      ];
      const profiles = [];
      if (ctx.shouldProfile(rows)) {
        ctx.log('login: profiling the product: sequential logins');
        const sequential = await ctx.profileProduct(
          { name: 'product (profiled)' },
          async (server, begin) => {
            const [u] = await registerUsers(server.url, 1);
            const job = (durationSec: number) => ({
              url: server.url,
              phoneNumber: u!.phoneNumber,
              password: u!.password,
              durationSec,
            });
            await load.call('loginLoop', job(1));
            begin();
            await load.call('loginLoop', job(Math.max(settings.seconds, 3)));
          },
        );
        if (sequential) profiles.push(sequential);
        ctx.log('login: profiling the product: relay under the login flood');
        const summary = await ctx.profileProduct(
          { name: 'product (profiled)' },
          async (server, begin) => {
            const [u, ...rest] = await registerUsers(server.url, PAIRS * 2 + 1);
            const more = Array.from({ length: PAIRS }, (_, i) => ({
              caller: rest[2 * i]!,
              callee: rest[2 * i + 1]!,
            }));
            await load.call('openPairs', {
              key: 'prof',
              mode: 'product',
              callerUrl: server.url,
              pairs: more,
            });
            const seconds = Math.max(settings.seconds, 3);
            begin();
            const flooding = floodLogins(server.url, u!, FLOOD_CONNECTIONS, seconds);
            await load.call('relayLatency', {
              key: 'prof',
              durationSec: seconds - 0.5,
              rate: RELAY_RATE,
            });
            await flooding;
            await load.call('closePairs', { key: 'prof' });
          },
        );
        if (summary) profiles.push(summary);
      }
      return { rows, notes, profiles };
    } finally {
      await load.call('closePairs', { key: 'relay' }).catch(() => {});
      await load.call('closePairs', { key: 'floor-relay' }).catch(() => {});
      await floor.call('stop').catch(() => {});
      await Promise.all([
        load.stop(),
        flood.stop(),
        argon.stop(),
        floor.stop(),
        product.stop(),
        timed.stop(),
      ]);
    }
  },
};
