/**
 * @module The wire shapes of API.md §2–6, built from the core's entities in
 * one place. Every shape names its fields explicitly, so nothing the core adds
 * to an entity leaks by accident. Dates become ISO-8601 UTC with milliseconds.
 * Each serializer returns its documented schema's output type (schemas.ts):
 * a field the schema lacks, or one of another type, fails the typecheck.
 */
import type * as v from 'valibot';
import type {
  Account,
  BlockedEntry,
  CallRecord,
  ConversationView,
  FetchedBundle,
  LoggedEvent,
  Message,
  MessageView,
  PoolCounts,
  PreKey,
  Presence,
  Profile,
  ProfileView,
  ReadState,
  Session,
  SessionView,
  SignedPreKey,
  UserId,
  VerificationView,
} from '../../core/index.js';
import { withFields } from '../../core/index.js';
import type { SERVER_FRAME_SCHEMAS } from './frame-schemas.js';
import { isoTime } from './iso-time.js';
import type {
  AccountResponse,
  BlockedUserResponse,
  BundleResponse,
  CallResponse,
  ContactResponse,
  ConversationResponse,
  DeviceSessionResponse,
  HistoryMessageResponse,
  IceServersResponse,
  LoggedEventFrame,
  MessageResponse,
  PoolCountsResponse,
  PreKeyInput,
  PresenceResponse,
  ProfileResponse,
  ReadResponse,
  SessionResponse,
  SignedPreKeyInput,
  VerificationResponse,
} from './schemas.js';

/** What a serializer returns: the output type of the schema that documents it. */
type Wire<S extends v.GenericSchema> = v.InferOutput<S>;

/** ISO-8601 UTC with milliseconds (`2026-11-24T19:09:41.123Z`). */
export function toWireDate(date: Date): string {
  return isoTime(date.getTime());
}

/** `GET /api/users/:userId/profile`, `GET /api/users/by-username/:username`. */
export function serializeProfile(profile: ProfileView): Wire<typeof ProfileResponse> {
  return {
    _id: profile.id,
    username: profile.username,
    displayName: profile.displayName,
    phoneNumber: profile.phoneNumber,
    createdAt: toWireDate(profile.createdAt),
    lastSeen: profile.lastSeen === null ? null : toWireDate(profile.lastSeen),
  };
}

/** `GET` and `PATCH /api/users/me`. */
export function serializeAccount(account: Account): Wire<typeof AccountResponse> {
  return {
    ...serializeProfile(account.profile),
    // The owner's own number, never hidden (a profile view's may be null).
    phoneNumber: account.profile.phoneNumber,
    readReceipts: account.readReceipts,
    typingIndicators: account.typingIndicators,
  };
}

/** One entry of `GET /api/users/me/blocked`. */
export function serializeBlockedEntry(entry: BlockedEntry): Wire<typeof BlockedUserResponse> {
  return {
    userId: entry.user.id,
    username: entry.user.username,
    displayName: entry.user.displayName,
    blockedAt: toWireDate(entry.blockedAt),
  };
}

/** `POST /api/auth/register`, `/login` and `/reset-password`. */
export function serializeSession(session: Session): Wire<typeof SessionResponse> {
  return {
    token: session.token,
    sessionId: session.sessionId,
    userId: session.user.id,
    username: session.user.username,
    displayName: session.user.displayName,
    phoneNumber: session.user.phoneNumber,
    createdAt: toWireDate(session.user.createdAt),
  };
}

/** Every `/api/auth/verification` answer. */
export function serializeVerification(view: VerificationView): Wire<typeof VerificationResponse> {
  return {
    verificationId: view.id,
    phoneNumber: view.phoneNumber,
    transport: view.transport,
    expiresAt: toWireDate(view.expiresAt),
    nextCodeAt: view.nextCodeAt === null ? null : toWireDate(view.nextCodeAt),
    attemptsLeft: view.attemptsLeft,
    verified: view.verified,
  };
}

/** One entry of `GET /api/auth/sessions`. */
export function serializeDeviceSession(session: SessionView): Wire<typeof DeviceSessionResponse> {
  return {
    sessionId: session.id,
    deviceName: session.deviceName,
    createdAt: toWireDate(session.createdAt),
    lastSeenAt: toWireDate(session.lastSeenAt),
    expiresAt: toWireDate(session.expiresAt),
    current: session.current,
  };
}

/** One entry of `POST /api/users/lookup`. */
export function serializeContact(profile: Profile): Wire<typeof ContactResponse> {
  return {
    _id: profile.id,
    username: profile.username,
    displayName: profile.displayName,
    phoneNumber: profile.phoneNumber,
  };
}

/** `POST /api/users/presence`: a map from user id to status, in request order. */
export function serializePresence(
  presence: ReadonlyMap<UserId, Presence>,
): Wire<typeof PresenceResponse> {
  const body: Wire<typeof PresenceResponse> = {};
  for (const [userId, { status, lastSeen }] of presence) {
    body[userId] = { status, lastSeen: lastSeen === null ? null : toWireDate(lastSeen) };
  }
  return body;
}

/** A message, as `POST /api/chat/send`, `GET /api/chat/messages` and `new-message` show it. */
export function serializeMessage(message: Message): Wire<typeof MessageResponse> {
  return {
    _id: message.id,
    conversationId: message.conversationId,
    senderId: message.senderId,
    receiverId: message.receiverId,
    content: message.content,
    messageType: message.messageType,
    clientMessageId: message.clientMessageId,
    createdAt: toWireDate(message.createdAt),
  };
}

/** A message of `GET /api/chat/messages/:userId`, with its receipts. */
export function serializeMessageView(view: MessageView): Wire<typeof HistoryMessageResponse> {
  return withFields(serializeMessage(view), {
    deliveredAt: view.deliveredAt === null ? null : toWireDate(view.deliveredAt),
    readAt: view.readAt === null ? null : toWireDate(view.readAt),
  });
}

/** `POST /api/chat/read`. */
export function serializeReadState(state: ReadState): Wire<typeof ReadResponse> {
  return { peerId: state.peerId, upTo: state.upTo, readAt: toWireDate(state.readAt) };
}

/** How a conversation names a peer whose account was deleted (docs/API.md, `DELETE /api/users/me`). */
export const DELETED_PEER = {
  username: null,
  displayName: 'Deleted account',
  deleted: true,
} as const;

/** One entry of `GET /api/chat/conversations`; `updatedAt` is the last message's time. */
export function serializeConversation({
  conversation,
  peerId,
  peer,
  unreadCount,
  lastRead,
}: ConversationView): Wire<typeof ConversationResponse> {
  return {
    _id: conversation.id,
    participants: [...conversation.participants],
    peer: peer
      ? { _id: peer.id, username: peer.username, displayName: peer.displayName, deleted: false }
      : { _id: peerId, ...DELETED_PEER },
    lastMessage: serializeMessage(conversation.lastMessage),
    updatedAt: toWireDate(conversation.lastMessage.createdAt),
    unreadCount,
    lastRead:
      lastRead === null
        ? null
        : { messageId: lastRead.messageId, readAt: toWireDate(lastRead.readAt) },
  };
}

/** A one-time EC prekey. */
export function serializePreKey(key: PreKey): Wire<typeof PreKeyInput> {
  return { keyId: key.keyId, publicKey: key.publicKey };
}

/** A signed prekey (EC signed prekey or a Kyber key). */
export function serializeSignedPreKey(key: SignedPreKey): Wire<typeof SignedPreKeyInput> {
  return { keyId: key.keyId, publicKey: key.publicKey, signature: key.signature };
}

/** `GET /api/keys/:userId/bundle`. */
export function serializeBundle(bundle: FetchedBundle): Wire<typeof BundleResponse> {
  return {
    identityKey: bundle.identityKey,
    registrationId: bundle.registrationId,
    signedPreKey: serializeSignedPreKey(bundle.signedPreKey),
    oneTimePreKey: bundle.oneTimePreKey === null ? null : serializePreKey(bundle.oneTimePreKey),
    kyberPreKey: bundle.kyberPreKey === null ? null : serializeSignedPreKey(bundle.kyberPreKey),
  };
}

/** `{ count, kyberCount }` of the publish, count and replenish routes. */
export function serializePoolCounts(counts: PoolCounts): Wire<typeof PoolCountsResponse> {
  return { count: counts.count, kyberCount: counts.kyberCount };
}

/** One entry of `GET /api/calls`; `_id` is the call id. */
export function serializeCall(call: CallRecord): Wire<typeof CallResponse> {
  return {
    _id: call.id,
    callerId: call.callerId,
    calleeId: call.calleeId,
    media: call.media,
    status: call.status,
    startedAt: toWireDate(call.startedAt),
    answeredAt: call.answeredAt === null ? null : toWireDate(call.answeredAt),
    endedAt: call.endedAt === null ? null : toWireDate(call.endedAt),
    durationSec: call.durationSec,
    endReason: call.endReason,
  };
}

/** One ICE server entry: `urls`, plus `username` and `credential` for TURN. */
export interface IceServerEntry {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** `GET /api/calls/ice-servers`: `ttl` in seconds. */
export function serializeIceServers(list: {
  readonly iceServers: readonly IceServerEntry[];
  readonly ttl: number;
}): Wire<typeof IceServersResponse> {
  return {
    iceServers: list.iceServers.map((server) =>
      server.username === undefined || server.credential === undefined
        ? { urls: [...server.urls] }
        : { urls: [...server.urls], username: server.username, credential: server.credential },
    ),
    ttl: list.ttl,
  };
}

/**
 * A logged event as a frame (`GET /api/sync` lists these, the socket sends
 * them): `seq` beside `type`, so each payload is the one its frame always had.
 */
export function serializeEvent(event: LoggedEvent): Wire<typeof LoggedEventFrame> {
  return { type: event.type, seq: event.seq, payload: serializeEventPayload(event) };
}

type MissedCallPayload = Wire<(typeof SERVER_FRAME_SCHEMAS)['missed-call']>;

function serializeEventPayload(event: LoggedEvent): Wire<typeof LoggedEventFrame>['payload'] {
  switch (event.type) {
    case 'new-message':
      return serializeMessage(event.message);
    case 'message-delivered':
      return {
        messageId: event.messageId,
        to: event.to,
        deliveredAt: toWireDate(event.deliveredAt),
      };
    case 'messages-read':
      return { by: event.by, upTo: event.upTo, readAt: toWireDate(event.readAt) };
    case 'conversation-read':
      return serializeReadState(event);
    case 'missed-call':
      // Logged only by a ring timeout (log-missed-call.ts): never answered, missed, `timeout`.
      return serializeCall(event.call) as MissedCallPayload;
  }
}
