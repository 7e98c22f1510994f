/**
 * @module The value shapes environment variables share (config.ts and
 * security-config.ts): whole numbers in a range and comma-separated lists.
 * Every message starts with the variable's name.
 */
import * as v from 'valibot';

/** A whole number `min`–`max`; `meaning`, when given, says in the message what the number counts. */
export const wholeNumber = (name: string, min: number, max: number, meaning?: string) =>
  v.pipe(
    v.string(),
    v.regex(
      /^\d+$/,
      `${name} must be a whole number${meaning === undefined ? '' : ` (${meaning})`}`,
    ),
    v.transform(Number),
    v.minValue(min, `${name} must be at least ${min}`),
    v.maxValue(max, `${name} must be at most ${max}`),
  );

/**
 * A comma-separated list (blanks around commas and empty entries ignored)
 * whose every entry passes `valid`; otherwise "`name` entries must
 * `expectation` (got …)", quoting each bad entry.
 */
export const commaList = (name: string, valid: (entry: string) => boolean, expectation: string) =>
  v.pipe(
    v.string(),
    v.transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ''),
    ),
    v.check(
      (entries) => entries.every(valid),
      (issue) =>
        `${name} entries must ${expectation} (got ${(issue.input as string[])
          .filter((entry) => !valid(entry))
          .map((entry) => JSON.stringify(entry))
          .join(', ')})`,
    ),
  );
