/**
 * The layer rules: core/ is framework-free and imports nothing outside core/
 * (its tests may use the in-memory adapters and test support); an adapter
 * imports the core and the wire module (adapters/wire: the JSON shapes both
 * transports send, and what adapters share), never another adapter.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-framework-free',
      comment:
        'core/ may import only core/ (no node:*, hono, mongodb, ws, tsyringe, adapters or apps).',
      severity: 'error',
      from: { path: '^core/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^core/' },
    },
    {
      name: 'core-tests-use-only-core-memory-and-support',
      comment: 'Core tests run in memory: core/, adapters/memory/, test/support/ and vitest only.',
      severity: 'error',
      from: { path: '^core/.*\\.test\\.ts$' },
      to: {
        pathNot: [
          '^core/',
          '^adapters/memory/',
          '^test/support/',
          'node_modules/vitest',
          'node_modules/@vitest',
        ],
      },
    },
    {
      name: 'adapters-import-only-core-and-wire',
      comment:
        'An adapter may import core/ and adapters/wire/, never another adapter: what two adapters share moves to adapters/wire/. Adapter tests, like a composition, may use other adapters.',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^adapters/', pathNot: ['^adapters/$1/', '^adapters/wire/'] },
    },
    {
      name: 'adapters-do-not-import-apps',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^apps/' },
    },
    {
      name: 'sdk-takes-only-types-from-the-server',
      comment:
        'sdk/ runs in browsers, React Native and bots: from core/ and adapters/ it may import types only (erased at build time), never code.',
      severity: 'error',
      from: { path: '^sdk/' },
      to: { pathNot: ['^sdk/', 'node_modules/valibot'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-app-uses-the-sdk-only',
      comment:
        'apps/web talks to the server through sdk/ alone: no core, adapter, server or test code.',
      severity: 'error',
      from: { path: '^apps/web/' },
      to: { path: '^(core|adapters|apps/server|test)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
