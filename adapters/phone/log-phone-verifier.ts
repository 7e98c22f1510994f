/**
 * @module The development verifier: we own the code and write it to the
 * server log as one JSON line `{"msg":"verification code","phoneNumber",
 * "code"}`. Anyone who reads the log can sign up as anyone, so it refuses to
 * exist under `NODE_ENV=production`.
 */
import type { PhoneVerifier } from '../../core/index.js';

/** Where the line goes; structurally the server's pino logger. */
export interface CodeLogger {
  info(message: string, fields: { phoneNumber: string; code: string; transport: string }): void;
}

export interface LogPhoneVerifierOptions {
  readonly logger: CodeLogger;
  readonly nodeEnv: string;
}

export function createLogPhoneVerifier(options: LogPhoneVerifierOptions): PhoneVerifier {
  if (options.nodeEnv === 'production') {
    throw new Error('PHONE_VERIFIER=log writes codes to the log; it is refused in production.');
  }
  return {
    ownsCodes: false,
    async deliver({ phoneNumber, transport, code }) {
      options.logger.info('verification code', { phoneNumber, code, transport });
    },
  };
}
