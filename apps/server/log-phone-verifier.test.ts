/** The log verifier through the server's own logger: the line a developer greps for. */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogPhoneVerifier } from '../../adapters/phone/log-phone-verifier.js';
import { createLogger } from './logger.js';

describe('log phone verifier', () => {
  it('writes one JSON line "verification code" with phoneNumber and code', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).trim().split('\n'));
        done();
      },
    });
    const logger = createLogger({ destination });
    const verifier = createLogPhoneVerifier({ logger, nodeEnv: 'development' });
    if (verifier.ownsCodes) throw new Error('the log verifier delivers our codes');
    await verifier.deliver({ phoneNumber: '+15550100001', transport: 'sms', code: '012345' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      msg: 'verification code',
      phoneNumber: '+15550100001',
      code: '012345',
    });
  });

  it('refuses to exist under NODE_ENV=production', () => {
    expect(() => createLogPhoneVerifier({ logger: { info() {} }, nodeEnv: 'production' })).toThrow(
      /production/,
    );
  });
});
