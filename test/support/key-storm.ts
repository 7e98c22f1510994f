/**
 * @module The key directory storm of issue 13, shared by its e2e test and the
 * bench: an owner publishes 50 EC + 50 Kyber one-time keys; then, all at
 * once, 200 bundle fetches spread over the given server instances race 10
 * identical replenishes and 5 publishes of the owner. `runKeyStorm` only
 * drives it and records every answer with its latency; `checkKeyStorm`
 * lists every broken promise (empty when all held).
 *
 * Every publish (the first, `0`, and the racing ones, `1`…`5`) keeps the same
 * identity key and has a signed prekey, a last-resort Kyber key and one-time
 * `keyId`s of its own, so a fetched bundle tells which publish it came from
 * and whether its keys belong to that publish (or to the replenished keys,
 * which join whichever publish is current).
 */
import { plainEcKey, plainHex, plainKyberKey, plainSignature } from './libsignal-keys.js';

/** One HTTP answer of the storm. */
export interface StormAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  /** From just before the request to the parsed answer. */
  readonly ms: number;
  /** Which of the `urls` it went to. */
  readonly instance: number;
}

export interface SignedKey {
  readonly keyId: number;
  readonly publicKey: string;
  readonly signature: string;
}

export interface FetchedBundle {
  readonly identityKey: string;
  readonly registrationId: number;
  readonly signedPreKey: SignedKey;
  readonly oneTimePreKey: { keyId: number; publicKey: string } | null;
  readonly kyberPreKey: SignedKey | null;
}

export interface KeyStormOptions {
  /** Base URLs of the server instances; requests alternate between them. */
  readonly urls: readonly string[];
  readonly owner: { readonly userId: string; readonly token: string };
  /** Tokens of the users who fetch (round robin). */
  readonly fetcherTokens: readonly string[];
  readonly fetches?: number;
  readonly replenishes?: number;
  readonly publishes?: number;
  /** One-time keys of each kind in the first publish. */
  readonly pool?: number;
}

export interface KeyStormResult {
  readonly fetches: readonly StormAnswer<FetchedBundle>[];
  readonly replenishes: readonly StormAnswer[];
  readonly publishes: readonly StormAnswer[];
  /** From the first request of the storm to its last answer. */
  readonly elapsedMs: number;
}

const IDENTITY_KEY = plainEcKey(13_000);
// Keys of the replenish body: their keyIds are no publish's.
const REPLENISHED = Array.from({ length: 10 }, (_, i) => 500 + i);
// Per publish: signed prekey 100 + p, last-resort Kyber key 9000 + p, one-time keyIds p·1000 + 1….
const signedKeyId = (publish: number) => 100 + publish;
const lastResortKeyId = (publish: number) => 9000 + publish;
const oneTimeIds = (publish: number, count: number) =>
  Array.from({ length: count }, (_, i) => publish * 1000 + 1 + i);

const ecKey = (keyId: number) => ({ keyId, publicKey: plainEcKey(20_000 + keyId) });
const kyberKey = (keyId: number): SignedKey => ({
  keyId,
  publicKey: plainKyberKey(20_000 + keyId),
  signature: plainSignature(20_000 + keyId),
});

/** The body of publish `publish` (0 = the first), with `count` one-time keys of each kind. */
export function stormPublishBody(publish: number, count: number) {
  return {
    identityKey: IDENTITY_KEY,
    registrationId: 4000 + publish,
    signedPreKey: {
      keyId: signedKeyId(publish),
      publicKey: plainEcKey(30_000 + publish),
      signature: plainHex(64, 30_000 + publish),
    },
    oneTimePreKeys: oneTimeIds(publish, count).map(ecKey),
    kyberPreKey: kyberKey(lastResortKeyId(publish)),
    kyberOneTimePreKeys: oneTimeIds(publish, count).map(kyberKey),
  };
}

/** The body every racing replenish sends (identical, as a retried request). */
export function stormReplenishBody() {
  return { oneTimePreKeys: REPLENISHED.map(ecKey), kyberOneTimePreKeys: REPLENISHED.map(kyberKey) };
}

async function call<T>(
  urls: readonly string[],
  instance: number,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<StormAnswer<T>> {
  const started = performance.now();
  const response = await fetch(new URL(path, urls[instance % urls.length]), {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text === '' ? null : JSON.parse(text)) as T,
    ms: performance.now() - started,
    instance: instance % urls.length,
  };
}

/** Publishes the first bundle (`pool` keys of each kind); throws unless it answered 200. */
export async function publishFirstBundle(options: KeyStormOptions): Promise<void> {
  const pool = options.pool ?? 50;
  const first = await call(
    options.urls,
    0,
    'POST',
    '/api/keys/publish',
    options.owner.token,
    stormPublishBody(0, pool),
  );
  if (first.status !== 200) {
    throw new Error(`first publish: ${first.status} ${JSON.stringify(first.body)}`);
  }
}

/** Runs the storm on a bundle published by `publishFirstBundle`; never throws for an HTTP status. */
export async function runKeyStorm(options: KeyStormOptions): Promise<KeyStormResult> {
  const { urls, owner, fetcherTokens } = options;
  const fetches = options.fetches ?? 200;
  const started = performance.now();
  const bundlePath = `/api/keys/${owner.userId}/bundle`;
  const [fetched, replenished, published] = await Promise.all([
    Promise.all(
      Array.from({ length: fetches }, (_, i) =>
        call<FetchedBundle>(urls, i, 'GET', bundlePath, fetcherTokens[i % fetcherTokens.length]!),
      ),
    ),
    Promise.all(
      Array.from({ length: options.replenishes ?? 10 }, (_, i) =>
        call(urls, i, 'POST', '/api/keys/onetime/replenish', owner.token, stormReplenishBody()),
      ),
    ),
    Promise.all(
      Array.from({ length: options.publishes ?? 5 }, (_, i) =>
        call(urls, i + 1, 'POST', '/api/keys/publish', owner.token, stormPublishBody(i + 1, 10)),
      ),
    ),
  ]);
  return {
    fetches: fetched,
    replenishes: replenished,
    publishes: published,
    elapsedMs: performance.now() - started,
  };
}

/**
 * Fetches (sequentially, from `urls[0]`) until both one-time pools answer
 * empty; returns those fetches. Bounded: at most `limit` fetches.
 */
export async function drainKeys(
  options: KeyStormOptions,
  limit = 500,
): Promise<StormAnswer<FetchedBundle>[]> {
  const answers: StormAnswer<FetchedBundle>[] = [];
  const path = `/api/keys/${options.owner.userId}/bundle`;
  for (let i = 0; i < limit; i++) {
    const answer = await call<FetchedBundle>(
      options.urls,
      i,
      'GET',
      path,
      options.fetcherTokens[0]!,
    );
    answers.push(answer);
    if (answer.status !== 200) break;
    const { oneTimePreKey, kyberPreKey } = answer.body;
    const lastResort = kyberPreKey === null || kyberPreKey.keyId >= 9000;
    if (oneTimePreKey === null && lastResort) break;
  }
  return answers;
}

/**
 * Every broken promise among the fetched bundles: not 200, a key handed out
 * twice (per kind and `keyId`: one identity key throughout), a bundle whose
 * parts come from two publishes, or key material that is not the key's own.
 */
export function checkFetchedBundles(answers: readonly StormAnswer<FetchedBundle>[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [i, answer] of answers.entries()) {
    if (answer.status !== 200) {
      problems.push(`fetch ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
      continue;
    }
    const bundle = answer.body;
    const publish = bundle.signedPreKey.keyId - 100;
    const expected = stormPublishBody(publish, 0);
    const ownKeyId = (keyId: number) =>
      REPLENISHED.includes(keyId) || Math.floor((keyId - 1) / 1000) === publish;
    if (
      bundle.identityKey !== IDENTITY_KEY ||
      bundle.registrationId !== expected.registrationId ||
      JSON.stringify(bundle.signedPreKey) !== JSON.stringify(expected.signedPreKey)
    ) {
      problems.push(`fetch ${i}: a bundle head of no publish: ${JSON.stringify(bundle)}`);
    }
    const ec = bundle.oneTimePreKey;
    if (ec) {
      if (!ownKeyId(ec.keyId)) problems.push(`fetch ${i}: EC key ${ec.keyId} of another publish`);
      if (ec.publicKey !== ecKey(ec.keyId).publicKey) problems.push(`fetch ${i}: EC material`);
      if (seen.has(`ec:${ec.keyId}`)) problems.push(`fetch ${i}: EC key ${ec.keyId} twice`);
      seen.add(`ec:${ec.keyId}`);
    }
    const kyber = bundle.kyberPreKey;
    if (kyber === null) {
      problems.push(`fetch ${i}: no Kyber key`);
    } else if (kyber.keyId >= 9000) {
      if (JSON.stringify(kyber) !== JSON.stringify(expected.kyberPreKey)) {
        problems.push(`fetch ${i}: last-resort key ${kyber.keyId} of another publish`);
      }
    } else {
      if (!ownKeyId(kyber.keyId)) {
        problems.push(`fetch ${i}: Kyber key ${kyber.keyId} of another publish`);
      }
      if (JSON.stringify(kyber) !== JSON.stringify(kyberKey(kyber.keyId))) {
        problems.push(`fetch ${i}: Kyber material`);
      }
      if (seen.has(`kyber:${kyber.keyId}`)) {
        problems.push(`fetch ${i}: Kyber key ${kyber.keyId} twice`);
      }
      seen.add(`kyber:${kyber.keyId}`);
    }
  }
  return problems;
}

/** Latency percentiles (nearest rank) and throughput of some answers. */
export function stormLatency(answers: readonly StormAnswer[], elapsedMs: number) {
  const sorted = answers.map((answer) => answer.ms).sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return {
    p50: at(0.5),
    p99: at(0.99),
    max: sorted.at(-1) ?? 0,
    perSec: (answers.length / Math.max(elapsedMs, 1)) * 1000,
  };
}
