import { invalidArgument } from "../core/index.js";

/** A value the {@link odata} template can place in a filter. */
export type ODataValue = string | number | boolean | null | undefined | bigint | readonly (string | number | boolean | bigint)[];

function literal(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return `'${value.replace(/'/g, "''")}'`;
    case "number":
      if (!Number.isFinite(value)) throw invalidArgument(`odata: ${value} is not a valid filter number`);
      return String(value);
    case "bigint":
    case "boolean":
      return String(value);
    default:
      throw invalidArgument(`odata: values of type ${typeof value} cannot be placed in a filter`);
  }
}

/**
 * Builds an OData filter with every interpolated value escaped: strings are quoted with
 * `'` (an embedded `'` is doubled), `null`/`undefined` become `null`, numbers, bigints and
 * booleans are written raw, arrays become a list `('a','b')` for `in`. Other values
 * (objects, functions, symbols, NaN) throw a TypeError.
 *
 * Filter syntax (used by `filter` on sends and by `addConnectionsToGroups`):
 * - identifiers: `userId` (string, `null` when anonymous), `connectionId` (string), `groups` (collection)
 * - comparison: `eq`, `ne` (also `gt ge lt le` on numbers); membership: `in`
 * - logic: `and`, `or`, `not`, parentheses; precedence `not` > comparisons > `and` > `or`
 * - literals: `'text'` (`''` escapes a quote), integers, `true`, `false`, `null`
 *
 * @example
 * ```ts
 * odata`userId eq ${"vic's"}`;                    // userId eq 'vic''s'
 * odata`userId in ${["a", "b"]}`;                // userId in ('a','b')
 * odata`${"admins"} in groups and not(userId eq ${null})`;
 * await client.sendToAll("hi", { filter: odata`connectionId ne ${id}` });
 * ```
 */
export function odata(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (Array.isArray(value)) {
      if (value.length === 0) throw invalidArgument("odata: an empty list cannot be placed in a filter");
      out += `(${value.map((v) => (Array.isArray(v) ? fail() : literal(v))).join(",")})`;
    } else {
      out += literal(value);
    }
    out += strings[i + 1] ?? "";
  }
  return out;
}

function fail(): never {
  throw invalidArgument("odata: nested lists cannot be placed in a filter");
}
