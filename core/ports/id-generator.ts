/** @module New ids, as a port so the core never draws randomness itself. */

export interface IdGenerator {
  /** A new unique, opaque id whose string order follows creation order within a process. */
  newId(): string;
}
