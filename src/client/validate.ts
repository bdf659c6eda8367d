// One validator for the client's arguments and options: a rule is a test plus the words for
// what a value must be, so each check is a table entry, and every message comes from one
// template ("<name> must be <expected>, got <value>") instead of a sentence per option.
import { invalidArgument, isUint, outOfRange, VERBOSE } from "../core/index.js";

/** A test, what a passing value is ("a boolean"), and 1 when a failure is a RangeError. */
export type Rule = readonly [test: (value: any) => boolean, expected: string, range?: 1];

/** true or false. */
export const BOOLEAN: Rule = [(v) => typeof v === "boolean", VERBOSE ? "a boolean" : ""];
/** A non-empty string (group, event and invocation names). */
export const NAME: Rule = [(v) => typeof v === "string" && v !== "", VERBOSE ? "a non-empty string" : ""];
/** A count: a safe integer, 0 or more. */
export const COUNT: Rule = [isUint, VERBOSE ? "an integer >= 0" : "", 1];

/** Throws {@link invalid} unless `value` passes `rule`. */
export function check(name: string, value: unknown, rule: Rule): void {
  if (!rule[0](value)) throw invalid(name, value, rule);
}

/**
 * The error for `value` failing `rule`: `<name> must be <expected>, got <value>`, code
 * WPS_ERR_INVALID_ARGUMENT, a TypeError (a RangeError for a number rule). Objects and
 * functions are shown by their type only, never by their contents. The production browser
 * build says `invalid <name>` (src/core/verbose.ts).
 */
export function invalid(name: string, value: unknown, [, expected, range]: Rule): TypeError {
  return (range ? outOfRange : invalidArgument)(VERBOSE ? `${name} must be ${expected}, got ${Object(value) === value ? typeof value : String(value)}` : name);
}

/**
 * `defaults` with the fields of `given` that are not undefined, each checked by its rule in
 * `rules` (its error names it `<prefix><field>`). Fields without a rule are not read.
 */
export function withDefaults<T extends object>(prefix: string, given: unknown, defaults: T, rules: Record<string, Rule>): T {
  const out = { ...defaults } as Record<string, unknown>;
  for (const key in rules) {
    const value = (given as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) {
      check(prefix + key, value, rules[key]!);
      out[key] = value;
    }
  }
  return out as T;
}
