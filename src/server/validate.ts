// Client-side checks mirroring the 2024-12-01 spec limits, so a bad argument fails
// before any request instead of as a service 400. Messages name the parameter and the limit.
// The rules themselves live in core (src/core/rules.ts, clientAccess.ts).
import {
  CLIENT_PROTOCOLS,
  groupProblem,
  HUB_RULE,
  invalidArgument,
  HUB_PATTERN,
  MAX_GROUP_LENGTH,
  MESSAGE_TTL_SECONDS,
  outOfRange,
  PERMISSIONS,
  redactText,
  type ClientProtocol,
  type Permission,
} from "../core/index.js";

export type { ClientProtocol, Permission } from "../core/index.js";

const MAX_INT32 = 2 ** 31 - 1;

/** A valid hub name (core `HUB_PATTERN`). */
export function checkHub(hub: unknown, name = "hub"): string {
  if (typeof hub !== "string") throw invalidArgument(`${name} must be a string`);
  if (!HUB_PATTERN.test(hub)) throw invalidArgument(`${name} '${redactText(hub.slice(0, 140))}' is invalid: ${HUB_RULE}`);
  return hub;
}

/** A group name: 1-1024 characters, not only whitespace. */
export function checkGroup(group: unknown, name = "group"): string {
  const problem = groupProblem(group);
  if (problem === undefined) return group as string;
  const length = typeof group === "string" ? group.length : 0;
  // Length is a range error, the rest a type error, as before.
  if (typeof group === "string" && (length < 1 || length > MAX_GROUP_LENGTH)) throw outOfRange(`${name} ${problem}`);
  throw invalidArgument(`${name} ${problem}`);
}

/** A non-empty array of group names. */
export function checkGroups(groups: unknown, name = "groups"): string[] {
  if (!Array.isArray(groups) || groups.length === 0) throw invalidArgument(`${name} must be a non-empty array of group names`);
  groups.forEach((g, i) => checkGroup(g, `${name}[${i}]`));
  return groups as string[];
}

/** userId, connectionId: any non-empty string (spec minLength 1). */
export function checkId(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) throw invalidArgument(`${name} must be a non-empty string`);
  return value;
}

/** An array (possibly empty) of ids, each checked by {@link checkId}. */
export function checkIds(values: unknown, name: string): string[] {
  if (!Array.isArray(values)) throw invalidArgument(`${name} must be an array of strings`);
  values.forEach((v, i) => checkId(v, `${name}[${i}]`));
  return values as string[];
}

/** An integer in `min`-`max` (default max: int32). */
export function checkInt(value: unknown, name: string, min: number, max = MAX_INT32): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const limit = max === MAX_INT32 ? `>= ${min}` : `${min}-${max}`;
    throw outOfRange(`${name} must be an integer ${limit} (got ${String(value)})`);
  }
  return value;
}

/** messageTtlSeconds: 0-300, 0 meaning the message never expires. */
export function checkTtl(value: unknown): number {
  return checkInt(value, "messageTtlSeconds", MESSAGE_TTL_SECONDS.min, MESSAGE_TTL_SECONDS.max);
}

function checkOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw invalidArgument(`${name} must be one of ${allowed.join(", ")} (got ${String(value)})`);
  }
  return value as T;
}

/** One of the {@link Permission} names. */
export function checkPermission(value: unknown): Permission {
  return checkOneOf(value, "permission", PERMISSIONS);
}

/** One of the {@link ClientProtocol} names. */
export function checkProtocol(value: unknown): ClientProtocol {
  return checkOneOf(value, "clientProtocol", CLIENT_PROTOCOLS);
}

/** A non-blank OData filter; its syntax is left to the service. */
export function checkFilter(value: unknown, name = "filter"): string {
  if (typeof value !== "string" || value.trim() === "") throw invalidArgument(`${name} must be a non-empty OData filter string`);
  return value;
}

/** Any string, empty included (e.g. a close reason). */
export function checkString(value: unknown, name: string): string {
  if (typeof value !== "string") throw invalidArgument(`${name} must be a string`);
  return value;
}
