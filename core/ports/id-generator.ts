/** @module New ids, as a port so the core never draws randomness itself. */

export interface IdGenerator {
  /**
   * A new unique, opaque id that cannot be guessed from any other id (clients
   * name users, messages and calls by id). Ids carry no order: anything
   * ordered by creation orders by its timestamp first.
   */
  newId(): string;
}
