/**
 * The signed-in session of this tab. sessionStorage, not localStorage: it
 * survives a reload but is per tab, so two tabs can be two people (the
 * quick start's "open two tabs and call yourself").
 */
import type { Session } from '../../../sdk/index.js';

const KEY = 'mycalls.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw === null ? null : (JSON.parse(raw) as Session);
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session === null) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(session));
}

const CHAT_KEY = 'mycalls.chat';

/** The chat open in this tab, so that a reload comes back to it. */
export function loadOpenChat<T>(): T | null {
  try {
    const raw = sessionStorage.getItem(CHAT_KEY);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

export function saveOpenChat(peer: object | null): void {
  if (peer === null) sessionStorage.removeItem(CHAT_KEY);
  else sessionStorage.setItem(CHAT_KEY, JSON.stringify(peer));
}
