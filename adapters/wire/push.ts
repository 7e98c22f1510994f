/**
 * @module A push as it travels to sockets: the frame, serialized once where
 * the core's notification enters the notifier, and the few plain fields that
 * routing needs (which frame, its `seq`, whose doing it is). The same object
 * reaches every local connection of the user; the clustered notifier sends
 * its text to other instances as it is, with those fields beside it, and
 * they deliver that text without reading it.
 */
import type { Notification, PresenceStatus, UserId } from '../../core/index.js';
import { serializeEvent, toWireDate } from './serialize.js';

/** A frame the server sends; logged events carry their `seq` beside `type`. */
export interface ServerFrame {
  readonly type: string;
  readonly seq?: number;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** A push, ready for the socket. */
export interface Push {
  /** The frame's type. */
  readonly type: Notification['type'];
  /** The finished frame: JSON text, as the socket sends it. */
  readonly text: string;
  /** Its size on the wire, frame header included (what `ws`'s `bufferedAmount` counts). */
  readonly bytes: number;
  /** A logged event's position in its user's log (docs/API.md "Sync"); undefined for other pushes. */
  readonly seq: number | undefined;
  /**
   * The user whose doing the push is — a message's sender, the party a call
   * frame comes `from` — so that a connection can budget what others send
   * it; undefined for the server's own pushes (presence, key warnings, call
   * outcomes).
   */
  readonly from: UserId | undefined;
}

/** `presence-update { userId, status, lastSeen }`. */
export function presenceUpdateFrame(presence: {
  readonly userId: string;
  readonly status: PresenceStatus;
  readonly lastSeen: Date | null;
}): ServerFrame {
  return {
    type: 'presence-update',
    payload: {
      userId: presence.userId,
      status: presence.status,
      lastSeen: presence.lastSeen === null ? null : toWireDate(presence.lastSeen),
    },
  };
}

/** The frame a core notification is pushed as. */
export function notificationFrame(notification: Notification): ServerFrame {
  switch (notification.type) {
    case 'new-message':
    case 'message-delivered':
    case 'messages-read':
    case 'conversation-read':
    case 'missed-call':
      return serializeEvent(notification);
    case 'typing':
      return {
        type: 'typing',
        payload: { from: notification.from, active: notification.active },
      };
    case 'prekeys-low':
      return {
        type: 'prekeys-low',
        payload: {
          count: notification.counts.count,
          kyberCount: notification.counts.kyberCount,
        },
      };
    case 'presence-update':
      return presenceUpdateFrame(notification);
    default:
      // Call notifications carry their wire payload already (API.md §7).
      return { type: notification.type, payload: notification.payload };
  }
}

/** A notification as the push every connection of its user gets. */
export function pushOf(notification: Notification): Push {
  const text = JSON.stringify(notificationFrame(notification));
  return {
    type: notification.type,
    text,
    bytes: frameBytes(text),
    seq: 'seq' in notification ? notification.seq : undefined,
    from: causedBy(notification),
  };
}

/** The size of a text frame of `text` on the wire, header included (server frames are unmasked). */
export function frameBytes(text: string): number {
  const payload = utf8Bytes(text);
  return payload + (payload < 126 ? 2 : payload < 65_536 ? 4 : 10);
}

/**
 * UTF-8 length: Node's native count where there is one; elsewhere counted
 * here, since the memory notifier also runs in browsers (the core's tests in
 * a page), where `Buffer` does not exist.
 */
const utf8Bytes: (text: string) => number =
  typeof Buffer === 'undefined' ? countUtf8Bytes : (text) => Buffer.byteLength(text);

/** Bytes of `text` in UTF-8; a lone surrogate counts as U+FFFD's three, as encoders write it. */
export function countUtf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two units, four bytes.
      bytes += 2;
      i++;
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/** The user whose doing a notification is; undefined for the server's own. */
function causedBy(notification: Notification): UserId | undefined {
  switch (notification.type) {
    case 'new-message':
      return notification.message.senderId;
    case 'message-delivered':
      return notification.to;
    case 'messages-read':
      return notification.by;
    case 'missed-call':
      return notification.call.callerId;
    case 'typing':
      return notification.from;
    case 'conversation-read':
    case 'presence-update':
    case 'prekeys-low':
    case 'call-ringing':
    case 'call-unavailable':
      return undefined;
    default:
      return notification.payload.from;
  }
}
