/** @module The JSON the HTTP baselines serve: the product's own answer, handed over in BENCH_BODY. */
export const BODY: unknown = JSON.parse(process.env.BENCH_BODY ?? '{"ok":true}');
export const PORT = Number(process.env.PORT ?? 0);
export const PROFILE_PATH = /^\/api\/users\/[^/]+\/profile$/;
