/**
 * The documents a newcomer reads (README.md, docs/API.md, SECURITY.md,
 * .env.example) name only things that exist: routes from the app's own
 * OpenAPI document, WebSocket frames and their error codes from the frame
 * schemas, environment variables from the configuration, repository files
 * from the tree, and sections from the documents' own headings. And
 * docs/API.md's frame tables list every frame there is.
 *
 * What counts as a mention is deliberately narrow, so prose stays free:
 * `METHOD /path` and `/api/…` in backticks; `name { … }`, `error CODE` and
 * `"type": "name"` for frames; UPPER_SNAKE words in backticks or as `NAME=`
 * for variables; backticked or linked paths for files; `#anchors` for
 * sections.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApiDocument } from '../../adapters/http/openapi-document.js';
import { createPrometheusMetrics } from '../../adapters/metrics/prometheus-metrics.js';
import { STATUS_BY_CODE } from '../../adapters/wire/errors.js';
import {
  CLIENT_FRAME_SCHEMAS,
  SERVER_FRAME_SCHEMAS,
  WS_ERROR_CODES,
} from '../../adapters/wire/frame-schemas.js';
import { CONFIG_VARIABLES } from '../../apps/server/config.js';
import { createTestApp } from '../support/http.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCUMENTS = ['README.md', 'docs/API.md', 'SECURITY.md', '.env.example'] as const;
const text = Object.fromEntries(
  DOCUMENTS.map((name) => [name, readFileSync(join(ROOT, name), 'utf8')]),
) as Record<(typeof DOCUMENTS)[number], string>;

/** Variables of the outside world the documents rightly name (Go's, Node's, the shell's, CI's). */
const OUTSIDE_VARIABLES = new Set(['CI', 'GOPATH', 'GOBIN', 'NODE_OPTIONS', 'PATH', 'TMPDIR']);

/** Variables the repository's own tests and tools read (`process.env.X`, `${X…}` in scripts). */
function variablesReadByTools(): Set<string> {
  const names = new Set<string>();
  for (const file of repositoryFiles()) {
    if (!/\.(ts|mjs|cjs|js|sh)$|^\.ci\//.test(file)) continue;
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const m of source.matchAll(
      /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g,
    )) {
      names.add(m[1] ?? m[2] ?? '');
    }
    for (const m of source.matchAll(/\$\{([A-Z][A-Z0-9_]*)[:}-]/g)) names.add(m[1] ?? '');
  }
  return names;
}

/** WebSocket paths, served by the hub rather than the HTTP app. */
const WS_PATHS = new Set(['/', '/ws']);

/** Requests docs/API.md names on purpose as examples of what does not exist. */
const NONEXISTENT_EXAMPLES = new Set([
  'GET /api/auth/register',
  '/api/users//profile',
  '/api/chat/nope',
]);

/** Top-level entries of the repository: a backticked `a/b` whose first part is one of these is a path. */
const ROOT_ENTRIES = new Set(readdirSync(ROOT).filter((entry) => entry !== 'node_modules'));

/** Each backticked span of a Markdown text (fenced blocks excluded), or every line of a plain file. */
function codeSpans(markdown: string): string[] {
  const withoutFences = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...withoutFences.matchAll(/`([^`\n]+)`/g)].map((match) => match[1] ?? '');
}

/** Fenced code blocks of a Markdown text. */
function fences(markdown: string): string[] {
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((match) => match[1] ?? '');
}

/** `/api/users/:userId/profile`, `/api/users/{userId}/profile`, `/api/users/<id>/profile` → one form. */
function routeShape(path: string): string {
  return path
    .replace(/[?#].*$/, '')
    .replace(/\/$/, '')
    .replace(/\/(:[^/]+|\{[^/}]+\}|<[^/>]+>)/g, '/:param');
}

/** GitHub's anchor of a heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const withoutFences = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...withoutFences.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? '')));
}

/** Every file of the repository (node_modules and .git left out), relative to the root. */
function repositoryFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(ROOT, path));
    }
  };
  walk(ROOT);
  return files;
}

let routes: Set<string>;
let paths: Set<string>;

beforeAll(async () => {
  // With metrics, as the server runs, so that `/metrics` is among the routes.
  const { app } = await createTestApp({
    http: { metrics: createPrometheusMetrics() },
  });
  const document = await generateOpenApiDocument(app);
  routes = new Set();
  paths = new Set();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of Object.keys(item as object)) {
      routes.add(`${method.toUpperCase()} ${routeShape(path)}`);
      if (method === 'get') routes.add(`HEAD ${routeShape(path)}`);
    }
    paths.add(routeShape(path));
  }
});

describe.each(DOCUMENTS.filter((name) => name !== '.env.example'))('%s', (name) => {
  const markdown = text[name];
  const spans = codeSpans(markdown);

  it('names only routes the server has', () => {
    const unknown: string[] = [];
    for (const span of spans) {
      for (const match of span.matchAll(/\b(GET|POST|PUT|PATCH|DELETE|HEAD) (\/[^\s`]*)/g)) {
        const request = `${match[1]} ${match[2]}`;
        if (WS_PATHS.has(match[2] ?? '') || NONEXISTENT_EXAMPLES.has(request)) continue;
        if (!routes.has(`${match[1]} ${routeShape(match[2] ?? '')}`)) unknown.push(request);
      }
      for (const match of span.matchAll(/(?:^|\s)(\/api\/[^\s`]*)/g)) {
        const path = match[1] ?? '';
        if (NONEXISTENT_EXAMPLES.has(path)) continue;
        const shape = routeShape(path);
        // A prefix (`/api/chat`, `/api/`) names the routes under it.
        const known = [...paths].some((p) => p === shape || p.startsWith(`${shape}/`));
        if (!known) unknown.push(path);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('names only frames and socket error codes that exist', () => {
    const frames = new Set([
      ...Object.keys(CLIENT_FRAME_SCHEMAS),
      ...Object.keys(SERVER_FRAME_SCHEMAS),
    ]);
    const unknown: string[] = [];
    for (const span of spans) {
      // `call-ended { callId, reason: "timeout" }`, `prekeys-low { count, kyberCount }`
      const frame = /^([a-z]+(?:-[a-z]+)*) \{/.exec(span);
      if (frame && !frames.has(frame[1] ?? '')) unknown.push(span);
      for (const match of span.matchAll(/\berror ([A-Z_]+)\b/g)) {
        if (!Object.hasOwn(WS_ERROR_CODES, match[1] ?? '')) unknown.push(span);
      }
    }
    for (const block of fences(markdown)) {
      for (const match of block.matchAll(/"type": "([^"]+)"/g)) {
        if (!frames.has(match[1] ?? '')) unknown.push(`"type": "${match[1]}"`);
      }
    }
    expect(unknown).toEqual([]);
  });

  it('names only environment variables the server or its tools read, and error codes that exist', () => {
    const known = new Set([
      ...CONFIG_VARIABLES,
      ...OUTSIDE_VARIABLES,
      ...variablesReadByTools(),
      ...Object.keys(STATUS_BY_CODE),
    ]);
    const unknown: string[] = [];
    const check = (word: string) => {
      if (word.endsWith('_*')) {
        if (!CONFIG_VARIABLES.some((v) => v.startsWith(word.slice(0, -1)))) unknown.push(word);
      } else if (!known.has(word)) {
        unknown.push(word);
      }
    };
    for (const span of spans) {
      for (const match of span.matchAll(
        /(?<![\w$])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:_\*)?)(?![\w])/g,
      )) {
        check(match[1] ?? '');
      }
    }
    for (const block of fences(markdown)) {
      for (const match of block.matchAll(/(?<![\w$.-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)=/g)) {
        check(match[1] ?? '');
      }
    }
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('names only repository files that exist', () => {
    const files = repositoryFiles();
    const basenames = new Set(files.map((file) => file.split('/').pop()));
    const missing: string[] = [];
    const candidates = [
      ...spans,
      ...[...markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((m) => m[1] ?? ''),
    ];
    for (const raw of candidates) {
      const candidate = raw.replace(
        /^\.\.?\//,
        name === 'docs/API.md' && raw.startsWith('../') ? '' : '',
      );
      if (/^[a-z]+:/i.test(candidate) || candidate.includes(' ')) continue;
      const looksLikePath = /^\.?[\w.-]+(\/[\w.@-]+)+\/?$/.test(candidate);
      const isPath =
        looksLikePath &&
        (ROOT_ENTRIES.has(candidate.split('/')[0] ?? '') ||
          raw.startsWith('../') ||
          /\.(ts|mjs|cjs|js|json|yaml|yml|md|conf)$/.test(candidate));
      const isFileName = /^[\w.-]+\.(ts|mjs|cjs|js|json|yaml|yml|md|conf|example)$/.test(candidate);
      if (isPath) {
        const fromRoot = name === 'docs/API.md' && raw.startsWith('../') ? raw.slice(3) : candidate;
        const fromDoc = join(name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '', raw);
        if (!existsSync(join(ROOT, fromRoot)) && !existsSync(join(ROOT, fromDoc)))
          missing.push(raw);
      } else if (isFileName && !basenames.has(candidate)) {
        missing.push(raw);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('links only to sections that exist', () => {
    const own = anchorsOf(markdown);
    const broken: string[] = [];
    for (const match of markdown.matchAll(/\]\(([^)\s]*)#([^)\s]+)\)/g)) {
      const target = match[1] ?? '';
      const anchor = match[2] ?? '';
      const anchors =
        target === ''
          ? own
          : anchorsOf(
              readFileSync(
                join(ROOT, name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '', target),
                'utf8',
              ),
            );
      if (!anchors.has(anchor)) broken.push(`${target}#${anchor}`);
    }
    expect(broken).toEqual([]);
  });

  it('points to nothing outside the repository but web addresses', () => {
    const outside = [...markdown.matchAll(/\]\((\.\.\/[^)]*)\)/g)]
      .map((m) => m[1] ?? '')
      .filter((target) => !existsSync(join(ROOT, name.includes('/') ? 'docs' : '', target)));
    expect(outside).toEqual([]);
  });
});

describe('.env.example', () => {
  it('sets every variable the server reads, and no other', () => {
    const set = [...text['.env.example'].matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    expect([...set].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('docs/API.md frame tables', () => {
  /** The backticked first cells of the table under `heading`. */
  function firstColumn(heading: string): string[] {
    const markdown = text['docs/API.md'];
    const start = markdown.indexOf(`\n${heading}\n`);
    expect(start, heading).toBeGreaterThan(-1);
    const section = markdown.slice(start + heading.length + 2).split(/\n#{2,3} /)[0] ?? '';
    return [...section.matchAll(/^\| `([a-z-]+)` +\|/gm)]
      .map((m) => m[1] ?? '')
      .filter((cell) => cell !== 'type');
  }

  it('list every frame a client may send', () => {
    expect(firstColumn('### Client → server frames').sort()).toEqual(
      Object.keys(CLIENT_FRAME_SCHEMAS).sort(),
    );
  });

  it('list every frame the server sends', () => {
    expect(firstColumn('### Server → client frames').sort()).toEqual(
      Object.keys(SERVER_FRAME_SCHEMAS).sort(),
    );
  });

  it('list every error code a frame may be answered with', () => {
    const markdown = text['docs/API.md'];
    const start = markdown.indexOf('\n### Errors on the socket\n');
    const section = markdown.slice(start).split(/\n### /)[1] ?? '';
    const codes = [...section.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect(codes.sort()).toEqual(Object.keys(WS_ERROR_CODES).sort());
  });
});
