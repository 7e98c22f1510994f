/**
 * @module ICE servers for WebRTC clients (API.md §6): the configured STUN
 * URLs, and TURN URLs with short-lived credentials in the TURN REST scheme
 * that coturn checks with `use-auth-secret` / `static-auth-secret`:
 * `username = "<unix expiry>:<userId>"`,
 * `credential = base64(HMAC-SHA1(secret, username))`. The secret never
 * leaves the server; a credential stops working at its expiry.
 */
import { createHmac } from 'node:crypto';

/** One entry of `iceServers`, as `RTCPeerConnection` takes it. */
export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** The answer of `GET /api/calls/ice-servers`; `ttl` in seconds. */
export interface IceServerList {
  readonly iceServers: readonly IceServer[];
  readonly ttl: number;
}

export interface IceServerConfig {
  /** `stun:`/`stuns:` URLs; none: no STUN entry. */
  readonly stunUrls: readonly string[];
  /** `turn:`/`turns:` URLs; none (or no secret): no TURN entry. */
  readonly turnUrls: readonly string[];
  /** The secret shared with the TURN server; null: no TURN entry. */
  readonly turnSecret: string | null;
  /** Credential lifetime in seconds (TURN_TTL). */
  readonly ttlSec: number;
}

/** The TURN REST credential of `userId`, valid until `expiresAtSec` (unix seconds). */
export function turnRestCredential(
  secret: string,
  userId: string,
  expiresAtSec: number,
): { username: string; credential: string } {
  const username = `${expiresAtSec}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

/**
 * A function answering each user's ICE servers at `now`: the STUN entry when
 * STUN URLs are configured, then the TURN entry with a credential expiring
 * `ttlSec` after `now` when both TURN URLs and the secret are.
 */
export function createIceServerSource(
  config: IceServerConfig,
): (userId: string, now: Date) => IceServerList {
  const stun = [...config.stunUrls];
  const turn = [...config.turnUrls];
  const secret = config.turnSecret;
  return (userId, now) => {
    const iceServers: IceServer[] = [];
    if (stun.length > 0) iceServers.push({ urls: [...stun] });
    if (turn.length > 0 && secret !== null) {
      const expiresAtSec = Math.floor(now.getTime() / 1000) + config.ttlSec;
      iceServers.push({ urls: [...turn], ...turnRestCredential(secret, userId, expiresAtSec) });
    }
    return { iceServers, ttl: config.ttlSec };
  };
}
