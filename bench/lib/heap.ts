/**
 * @module Reads two V8 heap snapshots (before and after opening sockets) and
 * tells what each socket added to the JS heap: self size and count per
 * constructor (or closure, array, string…), divided by the number of sockets.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

type Totals = Map<string, { count: number; bytes: number }>;

function totals(file: string): { byKind: Totals; heapBytes: number } {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const byKind: Totals = new Map();
  let heapBytes = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt]!] ?? '?';
    const size = snap.nodes[i + sizeAt]!;
    heapBytes += size;
    let name = snap.strings[snap.nodes[i + nameAt]!] ?? '';
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') {
      name = '(strings)';
    } else if (type === 'code') {
      name = '(compiled code)';
    } else if (type === 'number') {
      name = '(heap numbers)';
    } else if (name.length > 60) {
      name = `${name.slice(0, 57)}…`;
    }
    const key = `${type}: ${name || '(anonymous)'}`;
    const entry = byKind.get(key) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += size;
    byKind.set(key, entry);
  }
  return { byKind, heapBytes };
}

export interface HeapDiff {
  readonly sockets: number;
  readonly heapBytesPerSocket: number;
  readonly top: readonly { kind: string; perSocket: number; bytesPerSocket: number }[];
}

export function diffHeaps(before: string, after: string, sockets: number, topN = 25): HeapDiff {
  const a = totals(before);
  const b = totals(after);
  const rows = [...b.byKind.entries()].map(([kind, { count, bytes }]) => {
    const old = a.byKind.get(kind) ?? { count: 0, bytes: 0 };
    return {
      kind,
      perSocket: Math.round(((count - old.count) / sockets) * 100) / 100,
      bytesPerSocket: Math.round((bytes - old.bytes) / sockets),
    };
  });
  return {
    sockets,
    heapBytesPerSocket: Math.round((b.heapBytes - a.heapBytes) / sockets),
    top: rows.sort((x, y) => y.bytesPerSocket - x.bytesPerSocket).slice(0, topN),
  };
}

export function heapMarkdown(label: string, diff: HeapDiff): string {
  return [
    `Heap snapshots of ${label} before and after ${diff.sockets} idle sockets: the JS heap grew by ${diff.heapBytesPerSocket} B per socket (the rest of the RSS growth is outside the JS heap). What each socket added:`,
    '',
    '| bytes / socket | objects / socket | kind: constructor or function |',
    '|---:|---:|---|',
    ...diff.top.map((r) => `| ${r.bytesPerSocket} | ${r.perSocket} | \`${r.kind}\` |`),
  ].join('\n');
}
