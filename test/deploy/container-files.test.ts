/**
 * Docker cannot run on our machines (no engine, no compose plugin), so the
 * container files are checked here for what would break a deployment:
 * the Dockerfile's stages, non-root user, production-only install, health
 * check and command; every runtime import being a production dependency
 * (the image has no dev dependencies); compose.yaml's services, images,
 * dependencies and volumes, and its server environment passing the server's
 * own configuration check; the nginx config's upstreams and WebSocket
 * upgrade headers. compose.yaml is read with a small reader for the YAML
 * subset it uses (block mappings, scalar lists, one anchor and merge key).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LARGE_BODY_LIMIT_BYTES } from '../../adapters/http/json-body.js';
import { loadConfig } from '../../apps/server/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

type Yaml = string | readonly Yaml[] | { readonly [key: string]: Yaml };
type YamlMap = { readonly [key: string]: Yaml };

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

/**
 * Block mappings, lists of scalars, quoted and plain scalars, `&anchor` on a
 * mapping and `<<: *anchor`; anything else fails loudly with its line number.
 */
function readYamlSubset(text: string): YamlMap {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.includes('\t')) throw new Error(`line ${index + 1}: tab in indentation`);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    lines.push({ indent: raw.length - raw.trimStart().length, text: trimmed, number: index + 1 });
  });
  const anchors = new Map<string, YamlMap>();
  let at = 0;

  const scalar = (value: string): string => {
    const quoted = /^"(.*)"$/.exec(value) ?? /^'(.*)'$/.exec(value);
    return quoted ? quoted[1]! : value;
  };

  const block = (indent: number): Yaml => {
    const first = lines[at];
    if (first === undefined || first.indent !== indent) throw new Error('unexpected end of block');
    if (first.text.startsWith('- ')) {
      const items: Yaml[] = [];
      while (lines[at]?.indent === indent && lines[at]!.text.startsWith('- ')) {
        items.push(scalar(lines[at]!.text.slice(2).trim()));
        at += 1;
      }
      return items;
    }
    const map: Record<string, Yaml> = {};
    while (lines[at]?.indent === indent) {
      const line = lines[at]!;
      const entry = /^([\w.<-]+|"[^"]+"):(?:\s+(.*))?$/.exec(line.text);
      if (entry === null) throw new Error(`line ${line.number}: not a mapping entry: ${line.text}`);
      const key = scalar(entry[1]!);
      const value = entry[2];
      at += 1;
      if (key in map) throw new Error(`line ${line.number}: duplicate key ${key}`);
      if (value === undefined || value.startsWith('&')) {
        const next = lines[at];
        const child: Yaml = next !== undefined && next.indent > indent ? block(next.indent) : '';
        if (value?.startsWith('&')) anchors.set(value.slice(1), child as YamlMap);
        map[key] = child;
      } else if (key === '<<') {
        const merged = anchors.get(value.replace(/^\*/, ''));
        if (merged === undefined) throw new Error(`line ${line.number}: unknown alias ${value}`);
        Object.assign(map, merged);
      } else {
        map[key] = scalar(value);
      }
    }
    return map;
  };

  const document = block(0);
  if (at !== lines.length) throw new Error(`line ${lines[at]!.number}: unexpected indentation`);
  return document as YamlMap;
}

const asMap = (value: Yaml | undefined): YamlMap => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`expected a mapping, got ${JSON.stringify(value)}`);
  }
  return value as YamlMap;
};
const asList = (value: Yaml | undefined): readonly Yaml[] => {
  if (!Array.isArray(value)) throw new Error(`expected a list, got ${JSON.stringify(value)}`);
  return value;
};

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  // Continuation lines joined, comments dropped.
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages = instructions.filter((line) => /^FROM /i.test(line));
  const finalStage = instructions.slice(instructions.lastIndexOf(stages.at(-1)!));

  const stageNamed = (name: string) => {
    const from = stages.find((line) => line.endsWith(` AS ${name}`));
    if (from === undefined) throw new Error(`no stage ${name}`);
    const start = instructions.indexOf(from);
    const next = instructions.findIndex((line, i) => i > start && /^FROM /i.test(line));
    return instructions.slice(start, next === -1 ? undefined : next);
  };
  const pkg = JSON.parse(read('package.json')) as {
    scripts: Record<string, string>;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('builds in stages on a Node 24 (active LTS) Debian slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    for (const stage of stages) expect(stage).toMatch(/^FROM \$\{NODE_IMAGE\} AS \w+$/);
    expect(finalStage.some((line) => /^COPY --from=deps /.test(line))).toBe(true);
  });

  it('compiles the sources with the same build as npm start, every compiled folder copied in', () => {
    const build = stageNamed('build');
    expect(build).toContain('RUN npm ci --no-audit --no-fund');
    expect(build.at(-1)).toBe('RUN npm run build');
    expect(pkg.scripts.prestart).toBe('npm run build');
    // Build mode: an up-to-date dist/ costs `npm start` a second, not a type-check.
    expect(pkg.scripts.build).toBe('tsc -b tsconfig.build.json && node apps/web/build.mjs');
    const tsconfig = JSON.parse(read('tsconfig.build.json')) as {
      include: string[];
      compilerOptions: { outDir: string };
    };
    expect(tsconfig.compilerOptions.outDir).toBe('dist');
    const copied = build.filter((l) => l.startsWith('COPY ')).flatMap((l) => l.split(/\s+/));
    for (const source of [...tsconfig.include, 'tsconfig.json', 'tsconfig.build.json']) {
      expect(copied, source).toContain(source);
    }
    expect(finalStage).toContain('COPY --from=build /app/dist ./dist');
  });

  it('installs production dependencies only, from the lock file, for the image', () => {
    const deps = stageNamed('deps');
    expect(deps.find((line) => line.startsWith('RUN npm'))).toMatch(/^RUN npm ci --omit=dev\b/);
    expect(deps).toContain('COPY package.json package-lock.json ./');
  });

  it("keeps only the image's own platform of libsignal's prebuilt binaries, named as the package names them", () => {
    const install = stageNamed('deps').find((line) => line.startsWith('RUN npm ci'));
    expect(install).toContain('find node_modules/@signalapp/libsignal-client/prebuilds');
    expect(install).toContain(`! -name "$(node -p 'process.platform + "-" + process.arch')"`);
    const prebuilds = join(ROOT, 'node_modules/@signalapp/libsignal-client/prebuilds');
    expect(readdirSync(prebuilds)).toContain(`${process.platform}-${process.arch}`);
  });

  it('copies sources that exist, and runs them as a non-root user', () => {
    for (const line of instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from'))) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
    const users = finalStage.filter((line) => line.startsWith('USER '));
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^USER (root|0)(:|$)/);
    const userAt = finalStage.indexOf(users[0]!);
    expect(finalStage.findLastIndex((line) => line.startsWith('COPY '))).toBeLessThan(userAt);
    expect(finalStage.findIndex((line) => line.startsWith('CMD '))).toBeGreaterThan(userAt);
  });

  it('checks health on /healthz with node itself (no curl in a slim image)', () => {
    const health = finalStage.find((line) => line.startsWith('HEALTHCHECK '));
    expect(health).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/healthz/);
    expect(health).not.toMatch(/curl|wget/);
  });

  it('runs node on the compiled entry point of npm start, with no loader, so node gets the signals', () => {
    const start = pkg.scripts.start ?? '';
    // V8's helper threads sized to the CPUs the process may use (README, Deploying).
    expect(start).toBe('node --v8-pool-size=0 dist/apps/server/main.js');
    const argv = start.split(' ').map((word) => JSON.stringify(word));
    expect(finalStage.at(-1)).toBe(`CMD [${argv.join(', ')}]`);
    // tsx stays a development tool (npm run dev, the benchmarks), never in the image.
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(finalStage).toContain('STOPSIGNAL SIGTERM');
  });

  it('reads no file by a relative path, which would not resolve from dist/ (the compiled tree)', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(join(ROOT, dir))) {
        const path = join(dir, name);
        if (statSync(join(ROOT, path)).isDirectory()) walk(path);
        else if (/\.(ts|mjs)$/.test(path) && !path.endsWith('.test.ts')) {
          const source = read(path);
          // createRequire(…)('../x') or .resolve('../x'): dist/ is one level deeper than the sources.
          for (const match of source.matchAll(
            /createRequire\([^)]*\)(?:\.resolve)?\(\s*['"](\.[^'"]*)['"]/g,
          )) {
            offenders.push(`${path}: ${match[1]}`);
          }
          for (const match of source.matchAll(/new URL\(\s*['"](\.\.\/[^'"]*)['"]/g)) {
            offenders.push(`${path}: ${match[1]}`);
          }
        }
      }
    };
    for (const dir of ['core', 'adapters', 'apps']) walk(dir);
    expect(offenders, "use the package's own name, e.g. 'my-calls-backend/package.json'").toEqual(
      [],
    );
  });

  it('needs only production dependencies at run time', () => {
    const imported = new Map<string, string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(join(ROOT, dir))) {
        const path = join(dir, name);
        // The web app and its build script run at build time; the server only serves the bundle.
        if (statSync(join(ROOT, path)).isDirectory()) {
          if (path !== join('apps', 'web')) walk(path);
        } else if (/\.(ts|mjs)$/.test(path) && !path.endsWith('.test.ts')) {
          const source = read(path);
          // Type-only imports are erased: they need no package at run time.
          const specifiers = [
            ...[
              ...source.matchAll(/^(?:import|export)\s+(type\s)?[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm),
            ]
              .filter((match) => match[1] === undefined)
              .map((match) => match[2]!),
            ...[...source.matchAll(/^import\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!),
            ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
          ];
          for (const specifier of specifiers) {
            if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
            const parts = specifier.split('/');
            const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
            imported.set(name, path);
          }
        }
      }
    };
    for (const dir of ['core', 'adapters', 'apps']) walk(dir);
    expect(imported.size).toBeGreaterThan(5);
    const missing = [...imported].filter(([name]) => pkg.dependencies[name] === undefined);
    expect(missing, 'imported at run time but not a production dependency').toEqual([]);
  });

  it('leaves secrets, tests and local modules out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    for (const entry of ['.env', 'node_modules', 'dist', 'test', 'bench', '**/*.test.ts', '.git']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('compose.yaml', () => {
  const compose = readYamlSubset(read('compose.yaml'));
  const services = asMap(compose.services);
  const server = asMap(services['server-a']);

  it('runs MongoDB 7, Redis 7, two server instances and a reverse proxy', () => {
    expect(Object.keys(services).sort()).toEqual([
      'mongo',
      'proxy',
      'redis',
      'server-a',
      'server-b',
    ]);
    expect(asMap(services.mongo).image).toMatch(/^mongo:7(\.|$)/);
    expect(asMap(services.redis).image).toMatch(/^redis:7(\.|$)/);
    expect(services['server-b']).toEqual(server);
    expect(server.build).toBe('.');
    for (const name of ['mongo', 'redis', 'server-a', 'server-b']) {
      expect(asMap(services[name]).healthcheck ?? server.build, name).toBeDefined();
    }
  });

  it('gives the servers an environment the server accepts in production, with no secret in the file', () => {
    const environment = asMap(server.environment) as Record<string, string>;
    expect(environment.NODE_ENV).toBe('production');
    expect(environment.JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?.+\}$/);
    expect(new URL(environment.MONGODB_URI!).hostname).toBe('mongo');
    expect(new URL(environment.REDIS_URL!).hostname).toBe('redis');

    // Interpolated as compose would, with the operator's JWT_SECRET.
    const interpolated = Object.fromEntries(
      Object.entries(environment).map(([name, value]) => [
        name,
        value.replace(/\$\{(\w+)(?::[-?])?([^}]*)\}/g, (_all, variable: string, fallback) =>
          variable === 'JWT_SECRET' ? 'x'.repeat(48) : fallback,
        ),
      ]),
    );
    const config = loadConfig(interpolated);
    expect(config.nodeEnv).toBe('production');
    expect(config.port).toBe(3000);

    const grace = /^(\d+)s$/.exec(String(server.stop_grace_period));
    expect(Number(grace?.[1])).toBeGreaterThan(config.shutdownTimeoutSec + 5);
  });

  it('starts each service after the ones it needs are healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = asMap(service).depends_on;
      if (dependsOn === undefined) continue;
      for (const [needed, how] of Object.entries(asMap(dependsOn))) {
        expect(Object.keys(services), `${name} needs ${needed}`).toContain(needed);
        expect(asMap(how).condition).toBe('service_healthy');
      }
    }
    expect(Object.keys(asMap(server.depends_on)).sort()).toEqual(['mongo', 'redis']);
    expect(Object.keys(asMap(asMap(services.proxy).depends_on)).sort()).toEqual([
      'server-a',
      'server-b',
    ]);
  });

  it('declares its named volumes and mounts files that exist', () => {
    const declared = Object.keys(asMap(compose.volumes));
    for (const [name, service] of Object.entries(services)) {
      for (const mount of asList(asMap(service).volumes ?? [])) {
        const source = String(mount).split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source)), name).toBe(true);
        else expect(declared, name).toContain(source);
      }
    }
    expect(asList(asMap(services.proxy).volumes)).toContain(
      './deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro',
    );
  });
});

describe('deploy/nginx.conf', () => {
  const conf = read('deploy/nginx.conf');
  const directives = conf
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');

  it('is well formed: balanced blocks, every directive ended', () => {
    let depth = 0;
    for (const line of directives) {
      depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
      expect(depth).toBeGreaterThanOrEqual(0);
      expect(line, line).toMatch(/[;{}]$/);
    }
    expect(depth).toBe(0);
  });

  it('balances over both compose instances on their port', () => {
    const upstream = /upstream mycalls \{([^}]*)\}/.exec(conf)?.[1] ?? '';
    const servers = [...upstream.matchAll(/^\s*server ([\w-]+):(\d+)\b/gm)].map((m) => m.slice(1));
    expect(servers).toEqual([
      ['server-a', '3000'],
      ['server-b', '3000'],
    ]);
    expect(conf).toMatch(/proxy_pass http:\/\/mycalls;/);
  });

  it('passes WebSocket upgrades through and keeps sockets open past the ping interval', () => {
    expect(conf).toMatch(/proxy_http_version 1\.1;/);
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade \{\s*default upgrade;/);
    // The server pings every 30 s and waits 30 s for the pong.
    expect(Number(/proxy_read_timeout (\d+)s;/.exec(conf)?.[1])).toBeGreaterThan(60);
  });

  it('takes the largest request body the API does, and keeps /metrics inside', () => {
    const limit = /client_max_body_size (\d+)([km]);/.exec(conf);
    const bytes = Number(limit?.[1]) * (limit?.[2] === 'm' ? 1024 * 1024 : 1024);
    expect(bytes).toBeGreaterThanOrEqual(LARGE_BODY_LIMIT_BYTES);
    expect(conf).toMatch(/location = \/metrics \{\s*return 404;\s*\}/);
  });
});

describe('readYamlSubset', () => {
  it('reads mappings, lists, quotes and merge keys, and refuses what it does not know', () => {
    expect(
      readYamlSubset('a: &base\n  x: "1"\nb:\n  <<: *base\n  y:\n    - p\n    - \'q\'\n'),
    ).toEqual({ a: { x: '1' }, b: { x: '1', y: ['p', 'q'] } });
    expect(() => readYamlSubset('a:\n\tb: 1\n')).toThrow(/tab/);
    expect(() => readYamlSubset('a: 1\na: 2\n')).toThrow(/duplicate/);
    expect(() => readYamlSubset('a: 1\n  b: 2\n')).toThrow(/indentation/);
  });
});
