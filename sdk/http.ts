/**
 * @module The HTTP API (docs/API.md §Auth–§Calls) as typed methods. Every
 * failure is an `ApiError` carrying the server's `code`; a network failure
 * is an `ApiError` with status 0 and code `NETWORK`.
 */
import { type FetchLike, platform } from './platform.js';
import type {
  Account,
  BlockedUser,
  CallRecord,
  CallsQuery,
  ChangePasswordRequest,
  CheckCodeRequest,
  Contact,
  Conversation,
  ConversationsQuery,
  DeleteAccountRequest,
  DeviceSession,
  ErrorCode,
  HistoryMessage,
  IceServers,
  LoginRequest,
  Message,
  MessagesQuery,
  PresenceMap,
  Profile,
  ReadRequest,
  ReadState,
  RegisterRequest,
  ResendCodeRequest,
  ResetPasswordRequest,
  SendMessageRequest,
  Session,
  StartVerificationRequest,
  UpdateAccountRequest,
  Verification,
} from './types.js';

/** An answer other than 2xx, or no answer at all (`status` 0, `code` `NETWORK`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details: readonly { path: string; message: string }[] = [],
    /** `INVALID_CODE` only: checks left. */
    readonly attemptsLeft: number | null = null,
    /** `429` only: whole seconds until it may be tried again. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

export interface ApiOptions {
  /** The server, e.g. `http://localhost:3000` (a page on that server may pass `location.origin`). */
  readonly baseUrl: string;
  /** The signed-in session's token; `setToken` changes it later. */
  readonly token?: string | null;
  /** Default: the platform's `fetch`. */
  readonly fetch?: FetchLike;
  /** This device's socket `connectionId`, sent as `x-connection-id` on sends (no echo to itself). */
  readonly connectionId?: () => string | null;
}

type Query = Record<string, string | number | undefined>;

/** Every HTTP route of the API, typed from the server's schemas. */
export class MyCallsApi {
  readonly baseUrl: string;
  token: string | null;
  private readonly fetchImpl: FetchLike;
  private readonly connectionId: () => string | null;

  constructor(options: ApiOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token ?? null;
    // The platform's fetch must be called on globalThis (browsers throw "Illegal invocation").
    const fetchImpl = options.fetch ?? platform.fetch?.bind(globalThis);
    if (fetchImpl === undefined) throw new Error('No fetch on this platform: pass options.fetch.');
    this.fetchImpl = fetchImpl;
    this.connectionId = options.connectionId ?? (() => null);
  }

  setToken(token: string | null): void {
    this.token = token;
  }

  // Auth --------------------------------------------------------------------
  /** Signs up; the answer's token is kept for the next calls. */
  async register(body: RegisterRequest): Promise<Session> {
    return this.keep(await this.request<Session>('POST', '/api/auth/register', { body }));
  }
  /** Signs in; the answer's token is kept for the next calls. */
  async login(body: LoginRequest): Promise<Session> {
    return this.keep(await this.request<Session>('POST', '/api/auth/login', { body }));
  }
  startVerification(body: StartVerificationRequest): Promise<Verification> {
    return this.request('POST', '/api/auth/verification', { body });
  }
  resendCode(verificationId: string, body: ResendCodeRequest = {}): Promise<Verification> {
    return this.request('POST', `/api/auth/verification/${seg(verificationId)}/code`, { body });
  }
  checkCode(verificationId: string, body: CheckCodeRequest): Promise<Verification> {
    return this.request('POST', `/api/auth/verification/${seg(verificationId)}/check`, { body });
  }
  async resetPassword(body: ResetPasswordRequest): Promise<Session> {
    return this.keep(await this.request<Session>('POST', '/api/auth/reset-password', { body }));
  }
  sessions(): Promise<DeviceSession[]> {
    return this.request('GET', '/api/auth/sessions');
  }
  endSession(sessionId: string): Promise<void> {
    return this.request('DELETE', `/api/auth/sessions/${seg(sessionId)}`);
  }
  endOtherSessions(): Promise<{ ended: number }> {
    return this.request('DELETE', '/api/auth/sessions');
  }
  /** Changes the password; every other session of the account ends, this one stays. */
  changePassword(body: ChangePasswordRequest): Promise<{ ended: number }> {
    return this.request('POST', '/api/auth/password', { body });
  }
  /** Ends this session; the token is forgotten. */
  async logout(): Promise<void> {
    await this.request('POST', '/api/auth/logout');
    this.token = null;
  }

  // Users -------------------------------------------------------------------
  me(): Promise<Account> {
    return this.request('GET', '/api/users/me');
  }
  updateMe(body: UpdateAccountRequest): Promise<Account> {
    return this.request('PATCH', '/api/users/me', { body });
  }
  /** Deletes the account for good (its password confirms it); the token is forgotten. */
  async deleteAccount(body: DeleteAccountRequest): Promise<void> {
    await this.request('DELETE', '/api/users/me', { body });
    this.token = null;
  }
  profile(userId: string): Promise<Profile> {
    return this.request('GET', `/api/users/${seg(userId)}/profile`);
  }
  byUsername(username: string): Promise<Profile> {
    return this.request('GET', `/api/users/by-username/${seg(username)}`);
  }
  presence(userIds: string[]): Promise<PresenceMap> {
    return this.request('POST', '/api/users/presence', { body: { userIds } });
  }
  lookup(phoneNumbers: string[]): Promise<Contact[]> {
    return this.request('POST', '/api/users/lookup', { body: { phoneNumbers } });
  }
  blocked(): Promise<BlockedUser[]> {
    return this.request('GET', '/api/users/me/blocked');
  }
  block(userId: string): Promise<void> {
    return this.request('PUT', `/api/users/me/blocked/${seg(userId)}`);
  }
  unblock(userId: string): Promise<void> {
    return this.request('DELETE', `/api/users/me/blocked/${seg(userId)}`);
  }

  // Chat --------------------------------------------------------------------
  /** Stores and pushes a message; this device's socket is not sent the echo. */
  sendMessage(body: SendMessageRequest): Promise<Message> {
    const connectionId = this.connectionId();
    return this.request('POST', '/api/chat/send', {
      body,
      headers: connectionId === null ? {} : { 'x-connection-id': connectionId },
    });
  }
  /** Marks the conversation with `peerId` read up to `upTo` (and everything before it). */
  markRead(body: ReadRequest): Promise<ReadState> {
    return this.request('POST', '/api/chat/read', { body });
  }
  conversations(query: ConversationsQuery = {}): Promise<Conversation[]> {
    return this.request('GET', '/api/chat/conversations', { query });
  }
  /** Newest first; `before` pages back from a message id. */
  messages(userId: string, query: MessagesQuery = {}): Promise<HistoryMessage[]> {
    return this.request('GET', `/api/chat/messages/${seg(userId)}`, { query });
  }

  // Calls -------------------------------------------------------------------
  calls(query: CallsQuery = {}): Promise<CallRecord[]> {
    return this.request('GET', '/api/calls', { query });
  }
  iceServers(): Promise<IceServers> {
    return this.request('GET', '/api/calls/ice-servers');
  }

  /** Any route: for those this version of the SDK does not name yet. */
  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; query?: Query; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token !== null) headers.authorization = `Bearer ${this.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let url = `${this.baseUrl}${path}`;
    const query = Object.entries(options.query ?? {}).filter(([, value]) => value !== undefined);
    if (query.length > 0) {
      url += `?${query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`).join('&')}`;
    }
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `Cannot reach ${this.baseUrl}: ${String(error)}`);
    }
    const text = await response.text();
    const json: unknown = text === '' ? undefined : safeJson(text);
    if (response.ok) return json as T;
    const error = (json as { error?: Record<string, unknown> } | undefined)?.error ?? {};
    const retryAfter = response.headers.get('retry-after');
    throw new ApiError(
      response.status,
      (typeof error.code === 'string' ? error.code : 'INTERNAL') as ErrorCode,
      typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
      Array.isArray(error.details) ? (error.details as { path: string; message: string }[]) : [],
      typeof error.attemptsLeft === 'number' ? error.attemptsLeft : null,
      retryAfter === null ? null : Number(retryAfter),
    );
  }

  private keep(session: Session): Session {
    this.token = session.token;
    return session;
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
