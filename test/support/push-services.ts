/**
 * @module Local stand-ins for the push services, so push is tested end to end
 * without the internet: `web-push-testing` (an RFC 8030 push service that
 * checks the VAPID JWT and decrypts RFC 8291 payloads) behind a TLS proxy,
 * since the `web-push` library only speaks HTTPS and web-push-testing only
 * HTTP; the proxy records the delivery headers (TTL, Urgency, Topic) that
 * web-push-testing does not keep. The certificate is generated per run and
 * trusted through `PUSH_CA_FILE`. A local APNs (HTTP/2, TLS) and a local FCM
 * HTTP v1 (OAuth token endpoint and messages:send) check credentials and
 * headers as the providers document them and answer their documented errors.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
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

/** One request a local APNs or FCM server took. */
export interface SeenRequest {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
  /** Why the server refused the request's credentials, if it did. */
  readonly authProblem: string | null;
}

/** A scripted answer for one device token: the status, the JSON body, extra headers. */
export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface LocalApns {
  readonly url: string;
  /** The `.p8` key (PEM), its id and the team id the server checks the JWT against. */
  readonly keyFile: string;
  readonly keyId: string;
  readonly teamId: string;
  readonly seen: SeenRequest[];
  /** Answers for a device token, used in order; afterwards 200. */
  script(deviceToken: string, ...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

/**
 * A local APNs (HTTP/2 over TLS): checks the provider JWT (ES256, `kid`,
 * `iss`, `iat` within the hour) and answers as Apple documents, 200 with an
 * `apns-id`, or a scripted error with its `{ "reason" }` body.
 */
export async function startLocalApns(): Promise<LocalApns> {
  const { key, cert } = await testCertificate();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const dir = mkdtempSync(join(tmpdir(), 'apns-'));
  const keyFile = join(dir, 'AuthKey.p8');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const keyId = 'KEY0000001';
  const teamId = 'TEAM000001';
  const seen: SeenRequest[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const server = http2.createSecureServer({ key, cert });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', async () => {
      const path = String(headers[':path']);
      const authorization = String(headers.authorization ?? '');
      let authProblem: string | null = null;
      try {
        if (!authorization.startsWith('bearer ')) throw new Error('no bearer token');
        const jwt = authorization.slice('bearer '.length);
        const { protectedHeader, payload } = await jwtVerify(jwt, publicKey, {
          algorithms: ['ES256'],
          issuer: teamId,
          maxTokenAge: '1h',
        });
        if (protectedHeader.kid !== keyId) throw new Error('wrong kid');
        if (typeof payload.iat !== 'number') throw new Error('no iat');
      } catch (error) {
        authProblem = String(error);
      }
      seen.push({
        path,
        headers: { ...headers },
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
        authProblem,
      });
      if (authProblem !== null) {
        stream.respond({ ':status': 403, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ reason: 'InvalidProviderToken' }));
        return;
      }
      const token = path.split('/').pop() ?? '';
      const answer = scripts.get(token)?.shift();
      if (answer === undefined) {
        stream.respond({ ':status': 200, 'apns-id': randomUUID() });
        stream.end();
        return;
      }
      stream.respond({
        ':status': answer.status,
        'content-type': 'application/json',
        ...answer.headers,
      });
      stream.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    keyFile,
    keyId,
    teamId,
    seen,
    script(deviceToken, ...answers) {
      scripts.set(deviceToken, answers);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface LocalFcm {
  readonly url: string;
  /** A service-account JSON file whose `token_uri` is this server's. */
  readonly serviceAccountFile: string;
  readonly projectId: string;
  /** messages:send requests, in order (token requests are not listed). */
  readonly seen: SeenRequest[];
  /** Access tokens handed out so far. */
  readonly tokensIssued: number;
  script(registrationToken: string, ...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

/**
 * A local FCM HTTP v1 (plain HTTP): `POST /token` takes the JWT-bearer grant
 * with an RS256 assertion from the service account (checked: key, `iss`,
 * `aud`, `scope`) and hands out an access token; messages:send wants it and
 * answers `{ name }`, or a scripted error in Google's error shape.
 */
export async function startLocalFcm(): Promise<LocalFcm> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const projectId = 'my-calls-test';
  const clientEmail = 'push@my-calls-test.iam.gserviceaccount.com';
  const seen: SeenRequest[] = [];
  const scripts = new Map<string, ScriptedAnswer[]>();
  const issued = new Set<string>();
  let tokensIssued = 0;
  let url = '';
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.url === '/token') {
        const form = new URLSearchParams(text);
        try {
          if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
            throw new Error('grant_type');
          }
          const { payload } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
            algorithms: ['RS256'],
            issuer: clientEmail,
            audience: `${url}/token`,
          });
          if (payload.scope !== 'https://www.googleapis.com/auth/firebase.messaging') {
            throw new Error('scope');
          }
        } catch (error) {
          json(400, { error: 'invalid_grant', error_description: String(error) });
          return;
        }
        tokensIssued += 1;
        const accessToken = `ya29.test-${tokensIssued}`;
        issued.add(accessToken);
        json(200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
        return;
      }
      const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(request.url ?? '');
      const bearer = String(request.headers.authorization ?? '').replace(/^Bearer /, '');
      const authProblem = issued.has(bearer) ? null : 'unknown access token';
      const body = JSON.parse(text || '{}') as { message?: { token?: string } };
      seen.push({ path: request.url ?? '', headers: { ...request.headers }, body, authProblem });
      if (match === null || match[1] !== projectId) {
        json(404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } });
        return;
      }
      if (authProblem !== null) {
        json(401, { error: { code: 401, message: authProblem, status: 'UNAUTHENTICATED' } });
        return;
      }
      const answer = scripts.get(body.message?.token ?? '')?.shift();
      if (answer === undefined) {
        json(200, { name: `projects/${projectId}/messages/${randomUUID()}` });
        return;
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const serviceAccountFile = join(mkdtempSync(join(tmpdir(), 'fcm-')), 'service-account.json');
  writeFileSync(
    serviceAccountFile,
    JSON.stringify({
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: clientEmail,
      token_uri: `${url}/token`,
    }),
  );
  return {
    url,
    serviceAccountFile,
    projectId,
    seen,
    get tokensIssued() {
      return tokensIssued;
    },
    script(registrationToken, ...answers) {
      scripts.set(registrationToken, answers);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** FCM's documented error body for a dead registration token. */
export const FCM_UNREGISTERED: ScriptedAnswer = {
  status: 404,
  body: {
    error: {
      code: 404,
      message: 'Requested entity was not found.',
      status: 'NOT_FOUND',
      details: [
        {
          '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
          errorCode: 'UNREGISTERED',
        },
      ],
    },
  },
};
