/**
 * @module The SDK's types, taken from the server's own schemas (type-only
 * imports: nothing of the server is bundled). A field the server adds to a
 * schema shows up here with the next build; nothing is written twice.
 */
import type * as v from 'valibot';
import type * as S from '../adapters/http/schemas.js';
import type { CLIENT_FRAME_SCHEMAS, SERVER_FRAME_SCHEMAS } from '../adapters/wire/frame-schemas.js';
import type * as W from '../adapters/wire/schemas.js';
import type { ErrorCode } from '../core/index.js';

export type { ErrorCode };

// Requests, as the client writes them (optional fields may be left out).
export type RegisterRequest = v.InferInput<typeof S.RegisterBody>;
export type LoginRequest = v.InferInput<typeof S.LoginBody>;
export type StartVerificationRequest = v.InferInput<typeof S.StartVerificationBody>;
export type ResendCodeRequest = v.InferInput<typeof S.ResendCodeBody>;
export type CheckCodeRequest = v.InferInput<typeof S.CheckCodeBody>;
export type ResetPasswordRequest = v.InferInput<typeof S.ResetPasswordBody>;
export type ChangePasswordRequest = v.InferInput<typeof S.ChangePasswordBody>;
export type DeleteAccountRequest = v.InferInput<typeof S.DeleteAccountBody>;
export type UpdateAccountRequest = v.InferInput<typeof S.UpdateAccountBody>;
export type SendMessageRequest = v.InferInput<typeof S.SendMessageBody>;
export type ReadRequest = v.InferInput<typeof S.ReadBody>;
/** Query parameters, as numbers and strings (the SDK writes them into the URL). */
export type ConversationsQuery = Partial<v.InferOutput<typeof S.ConversationsQuery>>;
export type MessagesQuery = Partial<v.InferOutput<typeof S.MessagesQuery>>;
export type CallsQuery = Partial<v.InferOutput<typeof S.CallsQuery>>;

// Answers, as the server sends them.
export type Session = v.InferOutput<typeof W.SessionResponse>;
export type Verification = v.InferOutput<typeof W.VerificationResponse>;
export type DeviceSession = v.InferOutput<typeof W.DeviceSessionResponse>;
export type Account = v.InferOutput<typeof W.AccountResponse>;
export type Profile = v.InferOutput<typeof W.ProfileResponse>;
export type BlockedUser = v.InferOutput<typeof W.BlockListResponse>[number];
export type PresenceMap = v.InferOutput<typeof W.PresenceResponse>;
export type Contact = v.InferOutput<typeof W.LookupResponse>[number];
export type Message = v.InferOutput<typeof W.MessageResponse>;
/** A message as history pages give it: with `deliveredAt` and `readAt`. */
export type HistoryMessage = v.InferOutput<typeof W.MessageListResponse>[number];
export type Conversation = v.InferOutput<typeof W.ConversationListResponse>[number];
export type ReadState = v.InferOutput<typeof W.ReadResponse>;
export type CallRecord = v.InferOutput<typeof W.CallListResponse>[number];
export type IceServers = v.InferOutput<typeof W.IceServersResponse>;
export type ErrorBody = v.InferOutput<typeof S.ErrorResponse>;

// WebSocket frames, both ways.
export type ServerFrameType = keyof typeof SERVER_FRAME_SCHEMAS;
export type ClientFrameType = keyof typeof CLIENT_FRAME_SCHEMAS;
/** The payload of every frame the server sends, by type. */
export type ServerFrames = {
  [K in ServerFrameType]: v.InferOutput<(typeof SERVER_FRAME_SCHEMAS)[K]>;
};
/** The payload of every frame a client may send, by type. */
export type ClientFrames = {
  [K in ClientFrameType]: v.InferInput<(typeof CLIENT_FRAME_SCHEMAS)[K]>;
};
/** One server frame as received: `type` tells the payload's shape; logged events carry `seq`. */
export type ServerFrame = {
  [K in ServerFrameType]: { type: K; payload: ServerFrames[K]; seq?: number };
}[ServerFrameType];
export type CallMedia = ServerFrames['call-user']['media'];
export type PresenceStatus = ServerFrames['presence-update']['status'];
