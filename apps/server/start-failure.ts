/**
 * @module What the process prints when it cannot start for a known reason:
 * one plain line that names the variable, the address and the cause, and
 * says what to do. Unknown failures get no line here (main.ts logs them with
 * their stack: they are bugs).
 */

import { MongoUnreachableError } from '../../adapters/mongo/connect.js';
import { RedisUnreachableError } from '../../adapters/redis/connect.js';
import { isDomainError } from '../../core/index.js';
import type { Config } from './config.js';

/** Where the server was told to listen. */
type ListenConfig = Pick<Config, 'host' | 'port'>;

/** The one line for a start-up failure, or null when its cause is not a known one. */
export function describeStartFailure(error: unknown, config: ListenConfig): string | null {
  if (error instanceof MongoUnreachableError) {
    return `MONGODB_URI: ${error.message} Start MongoDB there or correct MONGODB_URI; or unset MONGODB_URI to use the embedded in-memory store (development only).`;
  }
  if (error instanceof RedisUnreachableError) {
    return `REDIS_URL: ${error.message} Start Redis there or correct REDIS_URL; or unset REDIS_URL to run this instance on its own.`;
  }
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${config.host}:${config.port}`;
  if (code === 'EADDRINUSE') {
    return `PORT: ${where} is already in use by another process. Stop that process, or set PORT to a free port (PORT=0 picks one).`;
  }
  if (code === 'EACCES') {
    return `PORT: this process may not listen on ${where} (ports below 1024 need privileges). Set PORT to 1024 or above.`;
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `HOST: ${config.host} is not an address of this machine. Set HOST to one of its addresses, or 0.0.0.0 for all of them.`;
  }
  if (isDomainError(error)) return error.message;
  return null;
}
