import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PhoneVerifier } from '../../core/index.js';
import {
  startTwilioVerifyServer,
  type TwilioVerifyServer,
} from '../../test/support/twilio-verify-server.js';
import { createTwilioPhoneVerifier } from './twilio-phone-verifier.js';

let twilio: TwilioVerifyServer;
let phoneSeq = 0;
const warnings: string[] = [];

beforeAll(async () => {
  twilio = await startTwilioVerifyServer();
});
afterAll(() => twilio.close());
beforeEach(() => {
  twilio.failNext(200, 0);
  warnings.length = 0;
});

function verifier(overrides: { authToken?: string; retries?: number } = {}) {
  const created = createTwilioPhoneVerifier({
    accountSid: twilio.accountSid,
    authToken: overrides.authToken ?? twilio.authToken,
    serviceSid: twilio.serviceSid,
    baseUrl: `${twilio.url}/`,
    retries: overrides.retries ?? 2,
    retryDelayMs: 5,
    logger: { warn: (message) => warnings.push(message) },
  });
  if (!created.ownsCodes) throw new Error('Twilio owns the codes');
  return created as Extract<PhoneVerifier, { ownsCodes: true }>;
}

const nextPhone = () => `+1555020${String(++phoneSeq).padStart(4, '0')}`;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    return String(await promise);
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('Twilio Verify adapter', () => {
  it('starts a verification form-encoded with Basic auth and approves the right code', async () => {
    const phone = nextPhone();
    const twilioVerifier = verifier();
    await twilioVerifier.send({ phoneNumber: phone, transport: 'sms' });
    expect(twilio.requests.at(-1)).toEqual({
      path: `/v2/Services/${twilio.serviceSid}/Verifications`,
      form: { To: phone, Channel: 'sms' },
    });
    const code = twilio.codeOf(phone) as string;
    expect(await twilioVerifier.check({ phoneNumber: phone, code })).toBe('approved');
    expect(twilio.requests.at(-1)).toEqual({
      path: `/v2/Services/${twilio.serviceSid}/VerificationCheck`,
      form: { To: phone, Code: code },
    });
  });

  it('sends voice codes on the call channel', async () => {
    const phone = nextPhone();
    await verifier().send({ phoneNumber: phone, transport: 'voice' });
    expect(twilio.requests.at(-1)?.form.Channel).toBe('call');
  });

  it('answers a wrong code (status pending) as wrong', async () => {
    const phone = nextPhone();
    const twilioVerifier = verifier();
    await twilioVerifier.send({ phoneNumber: phone, transport: 'sms' });
    const wrong = twilio.codeOf(phone) === '000000' ? '111111' : '000000';
    expect(await twilioVerifier.check({ phoneNumber: phone, code: wrong })).toBe('wrong');
  });

  it('answers an expired verification (404 20404) as expired', async () => {
    const phone = nextPhone();
    const twilioVerifier = verifier();
    await twilioVerifier.send({ phoneNumber: phone, transport: 'sms' });
    twilio.expire(phone);
    expect(await twilioVerifier.check({ phoneNumber: phone, code: '123456' })).toBe('expired');
  });

  it('answers max check attempts (429 60202) as exhausted', async () => {
    const phone = nextPhone();
    const twilioVerifier = verifier();
    await twilioVerifier.send({ phoneNumber: phone, transport: 'sms' });
    const wrong = twilio.codeOf(phone) === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await twilioVerifier.check({ phoneNumber: phone, code: wrong });
    expect(await twilioVerifier.check({ phoneNumber: phone, code: wrong })).toBe('exhausted');
  });

  it('turns max send attempts (429 60203) into RATE_LIMITED for the rest of the 10 minutes', async () => {
    const phone = nextPhone();
    const twilioVerifier = verifier();
    for (let i = 0; i < 5; i++) await twilioVerifier.send({ phoneNumber: phone, transport: 'sms' });
    await expect(
      twilioVerifier.send({ phoneNumber: phone, transport: 'sms' }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSec: 600 });
  });

  it('turns an invalid number (400 60200) into VALIDATION_FAILED on phoneNumber', async () => {
    await expect(verifier().send({ phoneNumber: '+0123', transport: 'sms' })).rejects.toMatchObject(
      { code: 'VALIDATION_FAILED', details: [{ path: 'phoneNumber' }] },
    );
  });

  it("turns Twilio's own 429 (20429) into RATE_LIMITED with its Retry-After", async () => {
    twilio.failNext(429);
    await expect(
      verifier().send({ phoneNumber: nextPhone(), transport: 'sms' }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSec: 7 });
  });

  it('retries a send after 5xx answers and succeeds when Twilio recovers', async () => {
    const phone = nextPhone();
    const before = twilio.requests.length;
    twilio.failNext(503, 2);
    await verifier({ retries: 2 }).send({ phoneNumber: phone, transport: 'sms' });
    expect(twilio.requests.length - before).toBe(3);
    expect(twilio.codeOf(phone)).toMatch(/^[0-9]{6}$/);
  });

  it('gives up a send after its retries with SERVICE_UNAVAILABLE', async () => {
    const before = twilio.requests.length;
    twilio.failNext(500, 3);
    expect(
      await codeOf(verifier({ retries: 2 }).send({ phoneNumber: nextPhone(), transport: 'sms' })),
    ).toBe('SERVICE_UNAVAILABLE');
    expect(twilio.requests.length - before).toBe(3);
  });

  it('never retries a check (Twilio may have counted it): one 502 is SERVICE_UNAVAILABLE', async () => {
    const phone = nextPhone();
    const twilioVerifier = verifier();
    await twilioVerifier.send({ phoneNumber: phone, transport: 'sms' });
    const before = twilio.requests.length;
    twilio.failNext(502, 1);
    expect(await codeOf(twilioVerifier.check({ phoneNumber: phone, code: '123456' }))).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(twilio.requests.length - before).toBe(1);
  });

  it('answers SERVICE_UNAVAILABLE for bad credentials (20003) and logs a warning without the token', async () => {
    expect(
      await codeOf(
        verifier({ authToken: 'wrong-token' }).send({ phoneNumber: nextPhone(), transport: 'sms' }),
      ),
    ).toBe('SERVICE_UNAVAILABLE');
    expect(warnings.join('\n')).toContain('20003');
    expect(warnings.join('\n')).not.toContain('wrong-token');
  });

  it('answers SERVICE_UNAVAILABLE when nothing listens', async () => {
    const unreachable = createTwilioPhoneVerifier({
      accountSid: 'AC1',
      authToken: 't',
      serviceSid: 'VA1',
      baseUrl: 'http://127.0.0.1:1',
      retries: 1,
      retryDelayMs: 1,
    });
    if (!unreachable.ownsCodes) throw new Error('unexpected');
    expect(await codeOf(unreachable.send({ phoneNumber: nextPhone(), transport: 'sms' }))).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});
