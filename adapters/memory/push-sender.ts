/**
 * @module A push sender that keeps what it is given: push off (no kinds) for
 * an embedder without push services, and the core tests' record of pushes.
 */
import type { PushDelivery, PushKind, PushSender } from '../../core/index.js';

export interface MemoryPushSender extends PushSender {
  /** Every delivery handed to `send`, in order. */
  readonly sent: PushDelivery[];
}

export interface MemoryPushSenderOptions {
  /** The kinds it claims to reach; default none (push off). */
  readonly kinds?: readonly PushKind[];
  readonly allowPrivateEndpoints?: boolean;
}

export function createMemoryPushSender(options: MemoryPushSenderOptions = {}): MemoryPushSender {
  const sent: PushDelivery[] = [];
  const kinds: ReadonlySet<PushKind> = new Set(options.kinds ?? []);
  return {
    kinds,
    allowPrivateEndpoints: options.allowPrivateEndpoints ?? false,
    sent,
    send(deliveries) {
      if (kinds.size > 0) sent.push(...deliveries);
    },
  };
}
