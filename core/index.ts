/**
 * @module The core's only public surface: entities, ports, errors, rules and
 * use cases. Nothing here imports Node, a framework or a driver.
 */
export type { Deps, Store } from './deps.js';
export * from './errors.js';
export { hexToBytes } from './hex.js';
export {
  HEX_BYTES_RULE,
  KEY_ID_RULE,
  MAX_KEY_ID,
  MAX_ONE_TIME_KEYS_PER_REQUEST,
  NO_ONE_TIME_KEYS_MESSAGE,
  ONE_TIME_KEY_LIST_RULE,
} from './key-material.js';
export { createKeyedQueue, type KeyedQueue, type KeyedTaskOptions } from './keyed-queue.js';
export * from './model.js';
export { compareMessages, conversationParticipants } from './ordering.js';
export type { BlockRepository } from './ports/block-repository.js';
export type { CallCursor, CallEnd, CallPage, CallRepository } from './ports/call-repository.js';
export type {
  CallStateStore,
  LiveCall,
  LiveCallState,
  StartOutcome,
} from './ports/call-state-store.js';
export type { Clock } from './ports/clock.js';
export type { CodeSendKeys, CodeSendLimiter } from './ports/code-send-limiter.js';
export type { ConversationRepository } from './ports/conversation-repository.js';
export type { DeliveryMark, DeliveryRepository } from './ports/delivery-repository.js';
export type { EventLog } from './ports/event-log.js';
export type { IdGenerator } from './ports/id-generator.js';
export type { KeyBundleRepository, OneTimeKeys } from './ports/key-bundle-repository.js';
export type {
  MessageCursor,
  MessagePage,
  MessageRepository,
} from './ports/message-repository.js';
export type {
  CallEndedPayload,
  CallEndedReason,
  CallNotification,
  CallRejectedPayload,
  CallSignalType,
  CallUserPayload,
  Notification,
  Notifier,
  NotifyOptions,
  PassthroughFields,
  RelayedCallPayload,
  TypingNotification,
} from './ports/notifier.js';
export type { PasswordHasher } from './ports/password-hasher.js';
export type { PhoneVerifier, RemoteCheckResult } from './ports/phone-verifier.js';
export type {
  ConnectionStatus,
  PresenceStore,
  PresenceTransition,
} from './ports/presence-store.js';
export {
  MAX_PRESENCE_SUBSCRIPTIONS_PER_CONNECTION,
  type PresenceSubscriber,
  type PresenceSubscriptions,
} from './ports/presence-subscriptions.js';
export type { PushDelivery, PushMessage, PushSender } from './ports/push-sender.js';
export type { ReadMark, ReadMarkRepository } from './ports/read-mark-repository.js';
export type { ScheduleOptions, Scheduler } from './ports/scheduler.js';
export type { EndedSession, SessionEvents } from './ports/session-events.js';
export type { SessionRepository } from './ports/session-repository.js';
export type { SignatureVerifier } from './ports/signature-verifier.js';
export type { IssuedToken, TokenService, VerifiedToken } from './ports/token-service.js';
export type { UserRepository } from './ports/user-repository.js';
export type { VerificationCodes } from './ports/verification-codes.js';
export type { RecordedCode, VerificationRepository } from './ports/verification-repository.js';
export { combinePresence } from './presence.js';
export * from './rules.js';
export { authenticate } from './use-cases/authenticate.js';
export * from './use-cases/blocking/index.js';
export { type ChangePasswordInput, changePassword } from './use-cases/change-password.js';
export { checkVerificationCode } from './use-cases/check-verification-code.js';
export { countPrekeys } from './use-cases/count-prekeys.js';
export {
  deleteAccount,
  type FinishDeletionDeps,
  finishAccountDeletion,
  finishPendingDeletions,
} from './use-cases/delete-account.js';
export { endOtherSessions } from './use-cases/end-other-sessions.js';
export { endSession } from './use-cases/end-session.js';
export { fetchBundle } from './use-cases/fetch-bundle.js';
export { findByUsername } from './use-cases/find-by-username.js';
export { getAccount, toAccount } from './use-cases/get-account.js';
export { getPresence } from './use-cases/get-presence.js';
export { canSeePhoneNumber, getProfile, viewProfile } from './use-cases/get-profile.js';
export { listCalls } from './use-cases/list-calls.js';
export {
  type ConversationView,
  listConversations,
  unreadTotal,
} from './use-cases/list-conversations.js';
export {
  type ListMessagesInput,
  listMessages,
  type MessageView,
} from './use-cases/list-messages.js';
export { listSessions, type SessionView } from './use-cases/list-sessions.js';
export { type LoginInput, login } from './use-cases/login.js';
export {
  LOOKUP_PHONE_NUMBERS_RULE,
  lookupByPhoneNumbers,
  MAX_LOOKUP_PHONE_NUMBERS,
} from './use-cases/lookup-by-phone-numbers.js';
export * from './use-cases/presence/index.js';
export { type PublishKeyBundleInput, publishKeyBundle } from './use-cases/publish-key-bundle.js';
export {
  checkPushRegistration,
  MAX_PUSH_ENDPOINT_LENGTH,
  PUSH_ENDPOINT_LENGTH_RULE,
  removePushRegistration,
  type SetPushRegistrationInput,
  setPushRegistration,
} from './use-cases/push-registration.js';
export { type RegisterInput, register } from './use-cases/register.js';
export { type ReplenishPrekeysInput, replenishPrekeys } from './use-cases/replenish-prekeys.js';
export {
  type ResendVerificationCodeInput,
  resendVerificationCode,
} from './use-cases/resend-verification-code.js';
export { type ResetPasswordInput, resetPassword } from './use-cases/reset-password.js';
export { type SendMessageInput, type SentMessage, sendMessage } from './use-cases/send-message.js';
export { type DeviceInput, type Session, toProfile } from './use-cases/session.js';
export * from './use-cases/signaling/index.js';
export { type StartVerificationInput, startVerification } from './use-cases/start-verification.js';
export * from './use-cases/sync/index.js';
export { type UpdateAccountInput, updateAccount } from './use-cases/update-account.js';
export { toVerificationView, type VerificationView } from './use-cases/verification.js';
export { withFields } from './with-fields.js';
