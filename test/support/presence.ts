/**
 * @module A small world for presence tests: five users on memory stores with
 * the recording notifier. Alice and Bob share a conversation, Bob and Erin
 * too; Carol and Dave share none with anyone (Carol subscribes, Dave is the
 * stranger who must never hear a thing). `registerUsers` serves the call
 * world of `signaling.ts` too.
 */
import {
  connectionOpened,
  type Deps,
  type PresenceStatus,
  type Profile,
  presenceConnectionClosed,
  subscribePresence,
  type UserId,
  unsubscribePresence,
  updatePresence,
} from '../../core/index.js';
import { register } from '../../core/use-cases/register.js';
import { createCoreDeps } from './core-deps.js';

/** One recorded `presence-update`: to whom (a user, or one connection of it), about whom. */
export interface PresencePush {
  readonly to: UserId;
  /** Set when pushed to one connection only (a subscriber). */
  readonly connectionId?: string;
  readonly about: UserId;
  readonly status: PresenceStatus;
  readonly lastSeen: Date | null;
}

/**
 * Registers a user per entry of `displayNames` (`{ alice: 'Alice', … }`), one
 * after the other in that order, with the phone numbers `${phonePrefix}0001`,
 * `${phonePrefix}0002`, … and one password; answers the profiles by key.
 */
export async function registerUsers<const Key extends string>(
  deps: Deps,
  phonePrefix: string,
  displayNames: Readonly<Record<Key, string>>,
): Promise<Record<Key, Profile>> {
  const users = {} as Record<Key, Profile>;
  let phone = 0;
  for (const [key, displayName] of Object.entries<string>(displayNames)) {
    phone += 1;
    const session = await register(deps, {
      phoneNumber: `${phonePrefix}${String(phone).padStart(4, '0')}`,
      username: null,
      displayName,
      password: 'password1',
    });
    users[key as Key] = session.user;
  }
  return users;
}

/** Fresh deps and users; `overrides` replaces single ports. */
export async function createPresenceWorld(overrides: Partial<Deps> = {}) {
  const core = createCoreDeps(overrides);
  const { deps, notifier } = core;
  const users = await registerUsers(deps, '+1555030', {
    alice: 'Alice',
    bob: 'Bob',
    carol: 'Carol',
    dave: 'Dave',
    erin: 'Erin',
  });
  await deps.conversations.ensure(users.alice.id, users.bob.id);
  await deps.conversations.ensure(users.erin.id, users.bob.id);

  const as = (who: Profile, connectionId: string) => ({ userId: who.id, connectionId });

  return {
    ...core,
    ...users,
    open: (who: Profile, connectionId: string) => connectionOpened(deps, as(who, connectionId)),
    close: (who: Profile, connectionId: string) =>
      presenceConnectionClosed(deps, as(who, connectionId)),
    set: (who: Profile, connectionId: string, status: 'active' | 'idle') =>
      updatePresence(deps, { ...as(who, connectionId), status }),
    subscribe: (who: Profile, connectionId: string, userIds: readonly string[]) =>
      subscribePresence(deps, { ...as(who, connectionId), userIds }),
    unsubscribe: (who: Profile, connectionId: string, userIds: readonly string[]) =>
      unsubscribePresence(deps, { ...as(who, connectionId), userIds }),
    /** Every `presence-update` recorded so far, in order. */
    pushes(): PresencePush[] {
      return notifier.sent.flatMap(({ userId, connectionId, notification: n }) =>
        n.type === 'presence-update'
          ? [
              {
                to: userId,
                ...(connectionId === undefined ? {} : { connectionId }),
                about: n.userId,
                status: n.status,
                lastSeen: n.lastSeen,
              },
            ]
          : [],
      );
    },
    /** Forgets what was recorded. */
    clear() {
      notifier.sent.length = 0;
    },
  };
}
