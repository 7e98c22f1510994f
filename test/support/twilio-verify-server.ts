/**
 * @module A local HTTP server that answers like Twilio Verify v2 as Twilio
 * documents it, for the Twilio adapter's tests (the only honest test of a
 * remote SaaS here). It keeps one verification per number, with Twilio's
 * rules: a 6-digit code, 10 minutes, 5 sends (then `429` 60203), 5 checks
 * (then `429` 60202 and the verification is gone), `404` 20404 for a check
 * without a pending verification, `400` 60200 for a bad `To`/`Channel`/
 * `Code`, `401` 20003 for bad credentials. Answers are JSON; errors have
 * Twilio's `{ code, message, more_info, status }`. `failNext(status)` makes
 * the next requests fail with a bare 5xx or 429; every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TwilioVerifyServer {
  readonly url: string;
  readonly accountSid: string;
  readonly authToken: string;
  readonly serviceSid: string;
  /** Every request: path and form fields. */
  readonly requests: { path: string; form: Record<string, string> }[];
  /** The current code of `to`'s pending verification. */
  codeOf(to: string): string | undefined;
  /** Makes the verification of `to` expire now (Twilio then answers 404 20404). */
  expire(to: string): void;
  /** The next `count` requests get `status` (a 5xx, or 429 20429 with Retry-After). */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

interface Pending {
  sid: string;
  code: string;
  sends: number;
  checks: number;
  channel: string;
  expiresAt: number;
}

const MAX_SENDS = 5;
const MAX_CHECKS = 5;
const TTL_MS = 10 * 60_000;

export async function startTwilioVerifyServer(): Promise<TwilioVerifyServer> {
  const accountSid = `AC${'0'.repeat(31)}1`;
  const authToken = 'local-twilio-auth-token';
  const serviceSid = `VA${'0'.repeat(31)}1`;
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const pending = new Map<string, Pending>();
  const requests: TwilioVerifyServer['requests'] = [];
  let failures: { status: number; count: number } | null = null;
  let sequence = 0;

  const error = (res: ServerResponse, status: number, code: number, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        code,
        message,
        more_info: `https://www.twilio.com/docs/errors/${code}`,
        status,
      }),
    );
  };
  const ok = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const form = Object.fromEntries(new URLSearchParams(raw));
    const path = req.url ?? '';
    requests.push({ path, form });
    if (failures !== null && failures.count > 0) {
      failures.count -= 1;
      const { status } = failures;
      if (status === 429) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
        res.end(JSON.stringify({ code: 20429, message: 'Too Many Requests', status: 429 }));
      } else {
        res.writeHead(status, { 'content-type': 'text/html' });
        res.end('<html>upstream trouble</html>');
      }
      return;
    }
    if (req.headers.authorization !== expectedAuth) {
      return error(res, 401, 20003, 'Authenticate');
    }
    if (
      req.method !== 'POST' ||
      req.headers['content-type'] !== 'application/x-www-form-urlencoded'
    ) {
      return error(res, 400, 60200, 'Invalid parameter');
    }
    const base = `/v2/Services/${serviceSid}/`;
    if (!path.startsWith(base))
      return error(res, 404, 20404, 'The requested resource was not found');
    const to = form.To ?? '';
    const now = Date.now();
    const current = pending.get(to);
    if (current && current.expiresAt <= now) pending.delete(to);
    const live = pending.get(to);

    if (path === `${base}Verifications`) {
      if (!/^\+[1-9][0-9]{6,14}$/.test(to)) return error(res, 400, 60200, 'Invalid parameter: To');
      if (!['sms', 'call'].includes(form.Channel ?? '')) {
        return error(res, 400, 60200, 'Invalid parameter: Channel');
      }
      let verification = live;
      if (verification === undefined) {
        sequence += 1;
        verification = {
          sid: `VE${String(sequence).padStart(32, '0')}`,
          code: String(Math.floor(Math.random() * 1e6)).padStart(6, '0'),
          sends: 0,
          checks: 0,
          channel: form.Channel as string,
          expiresAt: now + TTL_MS,
        };
        pending.set(to, verification);
      }
      if (verification.sends >= MAX_SENDS)
        return error(res, 429, 60203, 'Max send attempts reached');
      verification.sends += 1;
      verification.channel = form.Channel as string;
      return ok(res, 201, {
        sid: verification.sid,
        service_sid: serviceSid,
        account_sid: accountSid,
        to,
        channel: verification.channel,
        status: 'pending',
        valid: false,
        send_code_attempts: Array.from({ length: verification.sends }, () => ({
          channel: verification.channel,
        })),
      });
    }
    if (path === `${base}VerificationCheck`) {
      const code = form.Code ?? '';
      if (!/^[0-9A-Za-z]{4,10}$/.test(code))
        return error(res, 400, 60200, 'Invalid parameter: Code');
      if (live === undefined) return error(res, 404, 20404, 'The requested resource was not found');
      if (live.checks >= MAX_CHECKS) {
        pending.delete(to);
        return error(res, 429, 60202, 'Max check attempts reached');
      }
      live.checks += 1;
      const approved = code === live.code;
      if (approved) pending.delete(to);
      return ok(res, 200, {
        sid: live.sid,
        service_sid: serviceSid,
        account_sid: accountSid,
        to,
        channel: live.channel,
        status: approved ? 'approved' : 'pending',
        valid: approved,
      });
    }
    return error(res, 404, 20404, 'The requested resource was not found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    serviceSid,
    requests,
    codeOf: (to) => pending.get(to)?.code,
    expire(to) {
      const verification = pending.get(to);
      if (verification) verification.expiresAt = 0;
    },
    failNext(status, count = 1) {
      failures = { status, count };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
