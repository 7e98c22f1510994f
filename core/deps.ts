/** @module Everything the use cases may touch. Each use case picks what it needs. */
import type { Clock } from './ports/clock.js';
import type { ConversationRepository } from './ports/conversation-repository.js';
import type { IdGenerator } from './ports/id-generator.js';
import type { KeyBundleRepository } from './ports/key-bundle-repository.js';
import type { MessageRepository } from './ports/message-repository.js';
import type { Notifier } from './ports/notifier.js';
import type { PasswordHasher } from './ports/password-hasher.js';
import type { PresenceStore } from './ports/presence-store.js';
import type { SignatureVerifier } from './ports/signature-verifier.js';
import type { TokenService } from './ports/token-service.js';
import type { UserRepository } from './ports/user-repository.js';

export interface Deps {
  readonly users: UserRepository;
  readonly messages: MessageRepository;
  readonly conversations: ConversationRepository;
  readonly keyBundles: KeyBundleRepository;
  readonly presence: PresenceStore;
  readonly notifier: Notifier;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly signatures: SignatureVerifier;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}
