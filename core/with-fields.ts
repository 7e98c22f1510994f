/**
 * @module `{ ...base, ...fields }` for objects built once per message or
 * request. On Node 20 (V8 11.3) a literal `{ ...base, key }` that adds a key
 * `base` lacks gives every object it builds, after its first few, a hidden
 * class of its own: some 230 bytes more per object, kept beside each stored
 * one and garbage for each short-lived one, and every property read of it
 * megamorphic. `Object.assign` onto a fresh object shares one hidden class
 * per shape. Node 22 and later build the literal right.
 */

/** A new object with `base`'s own enumerable properties, then `fields`' (which win). */
export function withFields<B extends object, F extends object>(
  base: B,
  fields: F,
): Omit<B, keyof F> & F {
  return Object.assign({}, base, fields);
}
