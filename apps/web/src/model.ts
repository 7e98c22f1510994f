/**
 * The app's state for one signed-in tab, outside the components: the SDK
 * client, the conversations, the open chat, presence, and what changed. The
 * components read it and re-render on `subscribe`. Every list is merged by
 * id, so a reconnect or a reload that re-reads history never shows a
 * message twice.
 */
import {
  type Account,
  ApiError,
  type CallMedia,
  type CallRecord,
  type Conversation,
  type HistoryMessage,
  type Message,
  MyCallsClient,
  type PresenceStatus,
  type Session,
  type SocketState,
} from '../../../sdk/index.js';
import { loadOpenChat, saveOpenChat } from './session-store.js';

export interface Peer {
  readonly _id: string;
  readonly displayName: string;
  readonly username: string | null;
  /** A conversation partner who deleted their account. */
  readonly deleted?: boolean;
}

export interface Presence {
  readonly status: PresenceStatus;
  readonly lastSeen: string | null;
}

export type Tab = 'chats' | 'calls' | 'settings';

const PAGE = 30;
/** At most one `typing active:true` per this while the user keeps typing (the server wants one within 6 s). */
const TYPING_REFRESH_MS = 3_000;
/** No keystroke for this long: the user stopped typing. */
const TYPING_IDLE_MS = 4_000;
/** A peer's indicator goes after this without a refresh, even if their `active:false` was lost (the server's own cut-off is 6 s). */
const PEER_TYPING_MS = 7_000;

export class AppModel {
  readonly client: MyCallsClient;
  me: Account | null = null;
  tab: Tab = 'chats';
  connection: SocketState = 'idle';
  conversations: Conversation[] = [];
  /** Unread messages per peer id, counted on this tab since it opened the chat last. */
  unread = new Map<string, number>();
  presence = new Map<string, Presence>();
  /** Names of people seen in lists, for call history and incoming calls. */
  peers = new Map<string, Peer>();
  activePeer: Peer | null = null;
  /** The open chat, oldest first. */
  messages: Message[] = [];
  hasOlder = false;
  calls: CallRecord[] = [];
  /** Per peer: the newest of this user's messages that the peer has read (`messages-read`). */
  readByPeer = new Map<string, string>();
  /** This user's messages that reached a device of their receiver (`message-delivered`, history). */
  delivered = new Set<string>();
  /** This user's messages that history pages say are read (`readAt`). */
  private readonly readIds = new Set<string>();
  /** Per peer: the last message this tab marked read, so it is marked once. */
  private readonly marked = new Map<string, string>();
  /** Ids of the people this user has blocked. */
  blocked = new Set<string>();
  /** Peers typing to this user now, each with the timer that clears it if no refresh comes. */
  typing = new Map<string, ReturnType<typeof setTimeout>>();
  /** Whom this user is telling they are typing, since when, and the idle timer that stops it. */
  private typingTo: { peerId: string; sentAt: number; idle: ReturnType<typeof setTimeout> } | null =
    null;
  /** The last failure to tell the user about. */
  notice: string | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly followed = new Set<string>();

  constructor(
    readonly session: Session,
    private readonly onSignedOut: (reason: string | null) => void,
  ) {
    this.client = new MyCallsClient({
      baseUrl: location.origin,
      token: session.token,
      getLocalStream: (media: CallMedia) =>
        navigator.mediaDevices.getUserMedia({ audio: true, video: media === 'video' }),
    });
    const socket = this.client.socket;
    socket.onState((state) => {
      this.connection = state;
      if (state === 'unauthorized') this.signedOut('Your session has ended. Please sign in again.');
      this.changed();
    });
    // Every (re)connect: pushes are not replayed, so re-read what is shown.
    socket.on('ready', () => {
      this.followed.clear();
      // A new connection: whoever was typing will say so again.
      for (const peerId of [...this.typing.keys()]) this.peerTyping(peerId, false);
      this.typingTo = this.stopTypingTimer();
      void this.refresh();
    });
    socket.on('new-message', (message) => this.onMessage(message));
    socket.on('message-delivered', (delivery) => {
      this.delivered.add(delivery.messageId);
      this.changed();
    });
    socket.on('messages-read', (read) => {
      this.readByPeer.set(read.by, read.upTo);
      this.changed();
    });
    // Read on another device of this user.
    socket.on('conversation-read', (read) => {
      this.unread.delete(read.peerId);
      this.changed();
    });
    // A call rang out while this device was away (replayed on resume).
    socket.on('missed-call', () => {
      if (this.tab === 'calls') void this.loadCalls();
    });
    socket.on('typing', (typing) => this.peerTyping(typing.from, typing.active));
    socket.on('presence-update', (update) => {
      this.presence.set(update.userId, { status: update.status, lastSeen: update.lastSeen });
      this.changed();
    });
    this.client.calls?.onChange((call) => {
      if (call.state === 'ended') void this.loadCalls();
      this.changed();
    });
  }

  start(): void {
    const open = loadOpenChat<Peer>();
    if (open !== null) void this.openChat(open);
    this.client.socket.connect();
    void this.guard(async () => {
      const [me, blocked] = await Promise.all([this.client.api.me(), this.client.api.blocked()]);
      this.me = me;
      this.blocked = new Set(blocked.map((user) => user.userId));
      this.changed();
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  setTab(tab: Tab): void {
    this.tab = tab;
    if (tab === 'calls') void this.loadCalls();
    this.changed();
  }

  /** Runs an API call; shows its error, and signs out when the session is gone. */
  async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await work();
      return result;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
        this.signedOut('Your session has ended. Please sign in again.');
        return undefined;
      }
      this.notice = error instanceof Error ? error.message : String(error);
      this.changed();
      return undefined;
    }
  }

  dismissNotice(): void {
    this.notice = null;
    this.changed();
  }

  async refresh(): Promise<void> {
    await this.guard(async () => {
      await this.loadConversations();
      if (this.activePeer !== null) await this.loadNewest(this.activePeer._id);
      if (this.tab === 'calls') await this.loadCalls();
    });
  }

  async loadConversations(): Promise<void> {
    const list = await this.client.api.conversations({ limit: 50 });
    this.conversations = list;
    for (const conversation of list) {
      this.remember(conversation.peer);
      const open = this.activePeer?._id === conversation.peer._id;
      this.unread.set(conversation.peer._id, open ? 0 : conversation.unreadCount);
    }
    // The open chat's peer as the server shows it now (renamed, or a deleted account).
    const open = this.activePeer === null ? undefined : this.peers.get(this.activePeer._id);
    if (open !== undefined) {
      this.activePeer = open;
      saveOpenChat(open);
    }
    this.follow(list.map((conversation) => conversation.peer._id));
    this.changed();
  }

  async loadCalls(): Promise<void> {
    await this.guard(async () => {
      this.calls = await this.client.api.calls({ limit: 30 });
      const unknown = [
        ...new Set(
          this.calls.map((call) => this.otherParty(call)).filter((id) => !this.peers.has(id)),
        ),
      ];
      await Promise.all(
        unknown.map(async (id) => {
          // A deleted account's id no longer resolves: its calls stay in the history.
          const profile = await this.client.api.profile(id).catch((error: unknown) => {
            if (error instanceof ApiError && error.code === 'USER_NOT_FOUND') return null;
            throw error;
          });
          this.remember(profile ?? { _id: id, displayName: 'Deleted account', username: null });
        }),
      );
      this.changed();
    });
  }

  otherParty(call: CallRecord): string {
    return call.callerId === this.session.userId ? call.calleeId : call.callerId;
  }

  remember(peer: Peer): void {
    this.peers.set(peer._id, {
      _id: peer._id,
      displayName: peer.displayName,
      username: peer.username,
      deleted: peer.deleted === true,
    });
  }

  nameOf(userId: string): string {
    return this.peers.get(userId)?.displayName ?? 'Someone';
  }

  /** Opens the chat with `peer` and reads its newest page. */
  async openChat(peer: Peer): Promise<void> {
    if (this.typingTo?.peerId !== peer._id) this.stopTyping();
    this.remember(peer);
    this.activePeer = peer;
    saveOpenChat(peer);
    this.tab = 'chats';
    this.messages = [];
    this.hasOlder = false;
    this.unread.delete(peer._id);
    this.follow([peer._id]);
    this.changed();
    await this.guard(() => this.loadNewest(peer._id));
  }

  closeChat(): void {
    this.stopTyping();
    this.activePeer = null;
    saveOpenChat(null);
    this.messages = [];
    this.changed();
  }

  async loadOlder(): Promise<void> {
    const peer = this.activePeer;
    const oldest = this.messages[0];
    if (peer === null || oldest === undefined) return;
    await this.guard(async () => {
      const page = await this.client.api.messages(peer._id, { limit: PAGE, before: oldest._id });
      if (this.activePeer?._id !== peer._id) return;
      this.hasOlder = page.length === PAGE;
      this.noteReceipts(page);
      this.merge(page);
    });
  }

  async send(content: string): Promise<boolean> {
    const peer = this.activePeer;
    if (peer === null || content.trim() === '') return false;
    this.stopTyping();
    const clientMessageId = crypto.randomUUID();
    const sent = await this.guard(() =>
      this.client.api.sendMessage({ receiverId: peer._id, content, clientMessageId }),
    );
    if (sent === undefined) return false;
    if (this.activePeer?._id === peer._id) this.merge([sent]);
    void this.guard(() => this.loadConversations());
    return true;
  }

  /**
   * The composer's text changed: tells the open chat's peer this user is
   * typing (at most once per TYPING_REFRESH_MS), and that they stopped when
   * the text is cleared or after TYPING_IDLE_MS without a keystroke.
   */
  draftChanged(text: string): void {
    const peer = this.activePeer;
    if (peer === null || peer.deleted === true || text.trim() === '') {
      this.stopTyping();
      return;
    }
    // Off in this user's privacy settings: the server would drop it anyway.
    if (this.me?.typingIndicators === false) return;
    const now = Date.now();
    const current = this.typingTo;
    if (current !== null && current.peerId !== peer._id) this.stopTyping();
    const fresh = this.typingTo === null || now - this.typingTo.sentAt >= TYPING_REFRESH_MS;
    const sentAt = fresh ? now : (this.typingTo?.sentAt ?? now);
    if (fresh && !this.client.typing(peer._id, true)) return;
    this.stopTypingTimer();
    this.typingTo = {
      peerId: peer._id,
      sentAt,
      idle: setTimeout(() => this.stopTyping(), TYPING_IDLE_MS),
    };
  }

  /** Tells the peer this user stopped typing (on send, blur, clear, idle, leaving the chat). */
  stopTyping(): void {
    const current = this.typingTo;
    if (current === null) return;
    this.typingTo = this.stopTypingTimer();
    this.client.typing(current.peerId, false);
  }

  isTyping(peerId: string): boolean {
    return this.typing.has(peerId);
  }

  private stopTypingTimer(): null {
    if (this.typingTo !== null) clearTimeout(this.typingTo.idle);
    return null;
  }

  private peerTyping(peerId: string, active: boolean): void {
    const timer = this.typing.get(peerId);
    if (timer !== undefined) clearTimeout(timer);
    if (active) {
      this.typing.set(
        peerId,
        setTimeout(() => this.peerTyping(peerId, false), PEER_TYPING_MS),
      );
    } else {
      this.typing.delete(peerId);
    }
    if (active || timer !== undefined) this.changed();
  }

  async call(peer: Peer, media: CallMedia): Promise<void> {
    const calls = this.client.calls;
    if (calls === null) return;
    this.remember(peer);
    await this.guard(() => calls.place(peer._id, media));
  }

  async toggleBlock(peer: Peer): Promise<void> {
    const blocking = !this.blocked.has(peer._id);
    await this.guard(async () => {
      if (blocking) await this.client.api.block(peer._id);
      else await this.client.api.unblock(peer._id);
      if (blocking) this.blocked.add(peer._id);
      else this.blocked.delete(peer._id);
      this.changed();
    });
  }

  async signOut(): Promise<void> {
    await this.client.api.logout().catch(() => undefined);
    this.signedOut(null);
  }

  /** Stops everything and hands back to the sign-in screen. */
  signedOut(reason: string | null): void {
    saveOpenChat(null);
    this.typingTo = this.stopTypingTimer();
    for (const timer of this.typing.values()) clearTimeout(timer);
    this.typing.clear();
    this.client.close();
    this.onSignedOut(reason);
  }

  private async loadNewest(peerId: string): Promise<void> {
    const page = await this.client.api.messages(peerId, { limit: PAGE });
    if (this.activePeer?._id !== peerId) return;
    if (this.messages.length === 0) this.hasOlder = page.length === PAGE;
    this.noteReceipts(page);
    this.merge(page);
  }

  /** Remembers what a history page says of this user's messages: delivered, read. */
  private noteReceipts(page: readonly HistoryMessage[]): void {
    for (const message of page) {
      if (message.senderId !== this.session.userId) continue;
      if (message.deliveredAt !== null) this.delivered.add(message._id);
      if (message.readAt !== null) this.readIds.add(message._id);
    }
  }

  private onMessage(message: Message): void {
    const peerId = message.senderId === this.session.userId ? message.receiverId : message.senderId;
    // Their message is what they were typing.
    if (message.senderId === peerId && this.typing.has(peerId)) this.peerTyping(peerId, false);
    if (this.activePeer?._id === peerId) {
      this.merge([message]);
    } else if (message.senderId !== this.session.userId) {
      this.unread.set(peerId, (this.unread.get(peerId) ?? 0) + 1);
    }
    void this.guard(() => this.loadConversations());
    this.changed();
  }

  /** Adds messages to the open chat by id, keeping (createdAt, _id) order. */
  private merge(incoming: readonly Message[]): void {
    const byId = new Map(this.messages.map((message) => [message._id, message]));
    for (const message of incoming) byId.set(message._id, message);
    this.messages = [...byId.values()].sort((a, b) =>
      a.createdAt === b.createdAt ? (a._id < b._id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
    );
    this.markRead();
    this.changed();
  }

  /** Tells the server (so the sender's ticks) that the open chat is read up to its newest message from the peer. */
  private markRead(): void {
    const peer = this.activePeer;
    if (peer === null || peer.deleted === true || document.visibilityState !== 'visible') return;
    const newest = this.messages.findLast((message) => message.senderId === peer._id);
    if (newest === undefined || this.marked.get(peer._id) === newest._id) return;
    this.marked.set(peer._id, newest._id);
    this.unread.set(peer._id, 0);
    void this.guard(() => this.client.api.markRead({ peerId: peer._id, upTo: newest._id }));
  }

  /** Whether the peer has read `message` (one of this user's): at or before their read mark. */
  /** Where one of this user's messages is: sent, delivered to a device of the receiver, or read. */
  receipt(message: Message): 'sent' | 'delivered' | 'read' {
    if (this.isRead(message)) return 'read';
    return this.delivered.has(message._id) ? 'delivered' : 'sent';
  }

  isRead(message: Message): boolean {
    if (this.readIds.has(message._id)) return true;
    const upTo = this.readByPeer.get(message.receiverId);
    if (upTo === undefined) return false;
    const mark = this.messages.find((m) => m._id === upTo);
    if (mark === undefined) return false;
    return (
      message.createdAt < mark.createdAt ||
      (message.createdAt === mark.createdAt && message._id <= mark._id)
    );
  }

  /** Subscribes this connection to presence of users not yet followed. */
  private follow(userIds: readonly string[]): void {
    const fresh = userIds.filter((id) => id !== this.session.userId && !this.followed.has(id));
    if (fresh.length === 0) return;
    for (let i = 0; i < fresh.length; i += 200) {
      const chunk = fresh.slice(i, i + 200);
      if (this.client.socket.send('subscribe-presence', { userIds: chunk })) {
        for (const id of chunk) this.followed.add(id);
      }
    }
  }
}
