/**
 * Odd upgrade targets (SECURITY.md): a WebSocket upgrade to a target that is
 * not `/` or `/ws` is the documented `404` (status line only), written on the
 * raw socket, logged as a `404`, with no `500` and no error in the log.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../apps/server/logger.js';
import type { RunningServer } from '../../apps/server/start-server.js';
import { startTestServer } from '../support/start-test-server.js';
import { registerUser } from '../support/ws-client.js';

/**
 * Writes an upgrade request for `target` byte for byte; resolves with all the
 * server answered before closing (or with its first bytes, for a `101`).
 */
function rawUpgrade(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (chunk.toString('latin1').startsWith('HTTP/1.1 101 ')) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`no answer for ${target}`));
    });
    socket.write(
      [
        `GET ${target} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

describe('upgrades to odd targets', () => {
  let server: RunningServer;
  const lines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await startTestServer({}, { logger: createLogger({ level: 'trace', destination }) });
  });
  afterAll(() => server.close());

  it('are a 404 on the socket, never a 500 or a stack in the log', async () => {
    const alice = await registerUser(server.url, 'Alice');
    const token = `?token=${alice.token}`;
    const targets = [
      '//',
      '///',
      '//:99999',
      '//[',
      `//[${token}`,
      `//:99999/ws${token}`,
      // `new URL()` read these as a host and the path `/`: no path of ours.
      `//evil.example/${token}`,
      `//evil.example/ws${token}`,
      '/ws/',
      '*',
    ];
    lines.length = 0;
    for (const target of targets) {
      const answer = await rawUpgrade(server.port, target);
      expect(answer, target).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    }

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requests = records.filter((record) => record.msg === 'request');
    expect(requests.map((record) => record.status)).toEqual(targets.map(() => 404));
    // pino levels: 50 is error, 60 fatal.
    expect(records.filter((record) => Number(record.level) >= 50)).toEqual([]);
    expect(lines.join('')).not.toContain('stack');
    expect(lines.join('')).not.toContain(alice.token);

    // The real paths still upgrade.
    for (const path of ['/', '/ws']) {
      const answer = await rawUpgrade(server.port, `${path}${token}`);
      expect(answer, path).toMatch(/^HTTP\/1\.1 101 /);
    }
  });
});
