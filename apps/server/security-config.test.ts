import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT_RULES, RATE_LIMIT_NAMES } from '../../adapters/http/rate-limiters.js';
import {
  formatRateLimitRule,
  parseRateLimitRule,
  RATE_LIMIT_VARIABLES,
} from './security-config.js';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('rate limit rules', () => {
  it('parse <points>/<duration> with s, m, h, d or bare seconds', () => {
    expect(parseRateLimitRule('10/15m')).toEqual({ points: 10, durationSec: 900 });
    expect(parseRateLimitRule('6/1h')).toEqual({ points: 6, durationSec: 3600 });
    expect(parseRateLimitRule('5000/1d')).toEqual({ points: 5000, durationSec: 86_400 });
    expect(parseRateLimitRule('3/45s')).toEqual({ points: 3, durationSec: 45 });
    expect(parseRateLimitRule('3/45')).toEqual({ points: 3, durationSec: 45 });
    for (const bad of ['', '10', '/1m', '10/', 'a/1m', '10/1w', '10/-1m', '1e3/1m']) {
      expect(typeof parseRateLimitRule(bad), bad).toBe('string');
    }
  });

  it('format back to the shortest unit', () => {
    for (const text of ['10/15m', '6/1h', '5000/1d', '3/45s', '2/90m']) {
      const rule = parseRateLimitRule(text);
      if (typeof rule === 'string') throw new Error(rule);
      expect(formatRateLimitRule(rule)).toBe(text);
    }
  });
});

describe('the documented defaults are the code defaults', () => {
  const envExample = read('../../.env.example');
  const readme = read('../../README.md');
  const security = read('../../SECURITY.md');

  it.each(RATE_LIMIT_NAMES)('%s in .env.example and the README', (name) => {
    const variable = RATE_LIMIT_VARIABLES[name];
    const value = formatRateLimitRule(DEFAULT_RATE_LIMIT_RULES[name]);
    expect(envExample).toContain(`\n${variable}=${value}\n`);
    // The table may be padded for alignment (the formatter aligns Markdown tables).
    const row = new RegExp(`^\\| \`${variable}\` *\\| \`${escapeRegExp(value)}\` *\\|`, 'm');
    expect(readme).toMatch(row);
    expect(security).toContain(`\`${variable}\``);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
