/** @module What a successful register, login or reset returns, and how a device session is opened. */
import type { Deps } from '../deps.js';
import { ValidationError } from '../errors.js';
import type { DeviceSession, Profile, SessionId, User } from '../model.js';
import { DEVICE_NAME_RULE, deviceNameFrom, normalizeDeviceName } from '../rules.js';

export interface Session {
  readonly token: string;
  readonly expiresAt: Date;
  /** The device session the token belongs to. */
  readonly sessionId: SessionId;
  readonly user: Profile;
}

/** How the signing-in device names itself. */
export interface DeviceInput {
  /** From the body; null or absent: taken from `userAgent`. */
  readonly deviceName?: string | null;
  readonly userAgent?: string | null;
}

/** The public part of a user. */
export function toProfile(user: User): Profile {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    phoneNumber: user.phoneNumber,
    createdAt: user.createdAt,
    lastSeen: user.lastSeen,
  };
}

/** The checked device name, or a `VALIDATION_FAILED` naming `deviceName`. */
export function checkedDeviceName(device: DeviceInput): string {
  const given = device.deviceName ?? null;
  if (given === null) return deviceNameFrom(null, device.userAgent ?? null);
  const name = normalizeDeviceName(given);
  if (name === null) {
    throw ValidationError.at('deviceName', DEVICE_NAME_RULE.message);
  }
  return name;
}

/** Opens a device session for `user` and issues its token. */
export async function openSession(
  deps: Pick<Deps, 'sessions' | 'tokens' | 'clock' | 'ids'>,
  user: User,
  deviceName: string,
): Promise<Session> {
  const now = deps.clock.now();
  const id = deps.ids.newId() as SessionId;
  // The token first: the session lives exactly as long as it.
  const { token, expiresAt } = await deps.tokens.issue(user.id, id);
  const session: DeviceSession = {
    id,
    userId: user.id,
    deviceName,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  };
  await deps.sessions.create(session);
  return { token, expiresAt, sessionId: id, user: toProfile(user) };
}
