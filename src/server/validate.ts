// Client-side checks mirroring the 2024-12-01 spec limits, so a bad argument fails
// before any request instead of as a service 400. Messages name the parameter and the limit.
import { invalidArgument, outOfRange } from "../core/index.js";
import { redactText } from "./policies.js";

/** Hub names: a letter, then up to 127 of letters, digits and `` _`,.[] `` (spec `hub` pattern). */
export const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

/** Permissions a connection can be granted. */
export type Permission = "joinLeaveGroup" | "sendToGroup";
const PERMISSIONS: readonly Permission[] = ["joinLeaveGroup", "sendToGroup"];

/** Kinds of client a token is minted for. */
export type ClientProtocol = "default" | "mqtt" | "socketio";
const PROTOCOLS: readonly ClientProtocol[] = ["default", "mqtt", "socketio"];

const MAX_INT32 = 2 ** 31 - 1;

/** A hub name matching {@link HUB_PATTERN}. */
export function checkHub(hub: unknown, name = "hub"): string {
  if (typeof hub !== "string") throw invalidArgument(`${name} must be a string`);
  if (!HUB_PATTERN.test(hub)) {
    throw invalidArgument(
      `${name} '${redactText(hub.slice(0, 140))}' is invalid: it must start with a letter and contain 1-128 characters from A-Z a-z 0-9 _ \` , . [ ]`,
    );
  }
  return hub;
}

/** A group name: 1-1024 characters, not only whitespace. */
export function checkGroup(group: unknown, name = "group"): string {
  if (typeof group !== "string") throw invalidArgument(`${name} must be a string`);
  if (group.length < 1 || group.length > 1024) {
    throw outOfRange(`${name} must be 1-1024 characters long (got ${group.length})`);
  }
  if (group.trim() === "") throw invalidArgument(`${name} must not be only whitespace`);
  return group;
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
  return checkInt(value, "messageTtlSeconds", 0, 300);
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
  return checkOneOf(value, "clientProtocol", PROTOCOLS);
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
