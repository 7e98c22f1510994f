/**
 * @module Local stand-ins for the push services, so push is tested end to end
 * without the internet: `web-push-testing` (an RFC 8030 push service that
 * checks the VAPID JWT and decrypts RFC 8291 payloads) behind a TLS proxy,
 * since the `web-push` library only speaks HTTPS and web-push-testing only
 * HTTP; the proxy records the delivery headers (TTL, Urgency, Topic) that
 * web-push-testing does not keep. The certificate is generated per run and
 * trusted through `PUSH_CA_FILE`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';
import webpush from 'web-push';

const require = createRequire(import.meta.url);

/** A certificate for localhost and 127.0.0.1, and a file holding it (for `PUSH_CA_FILE`). */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  readonly caFile: string;
}

let certificate: Promise<TestCertificate> | undefined;

/** One certificate per test file. */
export function testCertificate(): Promise<TestCertificate> {
  certificate ??= (async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    const caFile = join(mkdtempSync(join(tmpdir(), 'push-ca-')), 'ca.pem');
    writeFileSync(caFile, pems.cert);
    return { key: pems.private, cert: pems.cert, caFile };
  })();
  return certificate;
}

/** What the TLS proxy saw of one push. */
export interface SeenPush {
  readonly clientHash: string;
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
}

export interface WebPushService {
  /** The server's VAPID settings, as PUSH_VAPID_* variables. */
  readonly env: Record<string, string>;
  /** A browser's subscription (endpoint through the proxy, keys); `clientHash` names it. */
  subscribe(): Promise<{
    endpoint: string;
    keys: { p256dh: string; auth: string };
    clientHash: string;
  }>;
  /** The decrypted payloads delivered to a subscription, oldest first. */
  messages(clientHash: string): Promise<string[]>;
  /** Makes the subscription answer 410 from now on. */
  expire(clientHash: string): Promise<void>;
  /** Every push that reached the proxy, with its headers and the service's status. */
  readonly seen: SeenPush[];
  close(): Promise<void>;
}

interface PushApiModel {
  notifyUrl: string;
}

/** Starts web-push-testing on a free port, and the TLS proxy in front of it. */
export async function startWebPushService(): Promise<WebPushService> {
  const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as {
    PushApiModel: new () => PushApiModel;
  };
  const WebPushTestingServer = require('web-push-testing/src/server.js') as new (
    model: PushApiModel,
    port: number,
  ) => { startServer(): void; _server: http.Server };
  const vapid = webpush.generateVAPIDKeys();
  const log = console.log;
  // It announces its port on stdout; tests keep their output clean.
  console.log = () => {};
  const service = new WebPushTestingServer(new PushApiModel(), 0);
  try {
    service.startServer();
  } finally {
    console.log = log;
  }
  await new Promise<void>((resolve) => {
    if (service._server.listening) resolve();
    else service._server.once('listening', () => resolve());
  });
  const servicePort = (service._server.address() as AddressInfo).port;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;

  const { key, cert } = await testCertificate();
  const seen: SeenPush[] = [];
  const proxy = https.createServer({ key, cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const forward = http.request(
        `${serviceUrl}${request.url}`,
        {
          method: request.method,
          headers: { ...request.headers, host: `127.0.0.1:${servicePort}` },
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            const clientHash = request.url?.split('/').pop() ?? '';
            seen.push({ clientHash, status: answer.statusCode ?? 0, headers: request.headers });
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            response.end(Buffer.concat(body));
          });
        },
      );
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${serviceUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies as loosely as a client would.
    const answer: any = await response.json().catch(() => null);
    return { status: response.status, body: answer };
  };

  return {
    env: {
      PUSH_VAPID_PUBLIC_KEY: vapid.publicKey,
      PUSH_VAPID_PRIVATE_KEY: vapid.privateKey,
      PUSH_VAPID_SUBJECT: 'mailto:tests@example.org',
    },
    seen,
    async subscribe() {
      // web-push-testing wants userVisibleOnly as the string "true".
      const { status, body } = await post('/subscribe', {
        userVisibleOnly: 'true',
        applicationServerKey: vapid.publicKey,
      });
      if (status !== 200) throw new Error(`subscribe: ${status} ${JSON.stringify(body)}`);
      const { keys, clientHash } = body.data;
      return { endpoint: `https://localhost:${proxyPort}/notify/${clientHash}`, keys, clientHash };
    },
    async messages(clientHash) {
      const { body } = await post('/get-notifications', { clientHash });
      return body?.data?.messages ?? [];
    },
    async expire(clientHash) {
      const response = await fetch(`${serviceUrl}/expire-subscription/${clientHash}`, {
        method: 'POST',
      });
      if (response.status !== 200) throw new Error(`expire: ${response.status}`);
    },
    async close() {
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      proxy.closeAllConnections();
      service._server.closeAllConnections();
      await new Promise<void>((resolve) => service._server.close(() => resolve()));
    },
  };
}
