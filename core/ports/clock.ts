/** @module Time, as a port so the core never reads the system clock. */

export interface Clock {
  now(): Date;
}
