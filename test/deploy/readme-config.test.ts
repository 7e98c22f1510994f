/** The README's configuration table names every variable the server reads, and no other. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../apps/server/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration table', () => {
  it('has one row per variable of apps/server/config.ts', () => {
    const section = /^## Configuration\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` *\|/gm)].map((match) => match[1]);
    expect(rows.length).toBe(new Set(rows).size);
    expect([...rows].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});
