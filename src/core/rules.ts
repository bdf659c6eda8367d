// Naming rules, permission names and limits of the service, defined once for the service
// client, the emulator, the event handler and the client SDK. API versions are not here:
// they come from the spec (generated/). Facts: docs/protocol.md#rest-and-tokens.

/** Hub names: a letter, then up to 127 of letters, digits and `` _`,.[] `` (spec `hub` pattern). */
export const HUB_PATTERN = /^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$/;

/** What {@link HUB_PATTERN} means, for error messages. */
export const HUB_RULE = "it must start with a letter and contain 1-128 characters from A-Z a-z 0-9 _ ` , . [ ]";

/** User event names: a letter, then up to 127 of letters, digits, `_`, `.`, `-`; case-insensitive. */
export const EVENT_NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/i;

/** Largest message: a REST body, a WebSocket frame, an upstream reply: 1 MiB. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Longest group name, in UTF-16 code units. */
export const MAX_GROUP_LENGTH = 1024;

/** `messageTtlSeconds` range; 0 means the message never expires. */
export const MESSAGE_TTL_SECONDS = { min: 0, max: 300 } as const;

/** `maxpagesize` range of the list operations. */
export const PAGE_SIZE = { min: 1, max: 200 } as const;

/** Shortest client-token lifetime (`minutesToExpire`), and the default the SDKs use. */
export const TOKEN_MINUTES = { min: 1, default: 60 } as const;

/** True for a valid hub name (before normalization). */
export function isValidHub(hub: unknown): hub is string {
  return typeof hub === "string" && HUB_PATTERN.test(hub);
}

/** Hubs are case-insensitive: one canonical spelling for maps, paths and comparisons. */
export function normalizeHub(hub: string): string {
  return hub.toLowerCase();
}

/** Group names: 1-1024 characters, not only whitespace; case-sensitive. */
export function isValidGroup(group: unknown): group is string {
  return typeof group === "string" && group.length >= 1 && group.length <= MAX_GROUP_LENGTH && group.trim() !== "";
}

/** Why `group` is not a valid group name, for error messages; undefined when it is. */
export function groupProblem(group: unknown): string | undefined {
  if (typeof group !== "string") return "must be a string";
  if (group.length < 1 || group.length > MAX_GROUP_LENGTH) return `must be 1-${MAX_GROUP_LENGTH} characters long (got ${group.length})`;
  if (group.trim() === "") return "must not be only whitespace";
  return undefined;
}

/** User ids and connection ids: any non-empty string (spec minLength 1). */
export function isValidId(id: unknown): id is string {
  return typeof id === "string" && id.length > 0;
}

/** True for a user event name the upstream accepts (`ce-type: azure.webpubsub.user.<event>`). */
export function isValidEventName(event: unknown): event is string {
  return typeof event === "string" && EVENT_NAME_PATTERN.test(event);
}

/** True for a `messageTtlSeconds` value the service accepts. */
export function isValidTtl(seconds: unknown): seconds is number {
  return typeof seconds === "number" && Number.isInteger(seconds) && seconds >= MESSAGE_TTL_SECONDS.min && seconds <= MESSAGE_TTL_SECONDS.max;
}

// ---------------------------------------------------------------------------------------------
// Permissions and roles

/** Permissions a connection can be granted on groups. */
export type Permission = "joinLeaveGroup" | "sendToGroup";

/** Every {@link Permission}, in the spec's order. */
export const PERMISSIONS: readonly Permission[] = ["joinLeaveGroup", "sendToGroup"];

/** Parses a permission name case-insensitively (the REST `{permission}` path value); undefined if unknown. */
export function parsePermission(text: string): Permission | undefined {
  const lower = text.toLowerCase();
  return PERMISSIONS.find((p) => p.toLowerCase() === lower);
}

/** Prefix of every role the service understands. */
export const ROLE_PREFIX = "webpubsub.";

/**
 * The role granting `permission`: on every group (`webpubsub.sendToGroup`), on one group
 * (`webpubsub.sendToGroup.<group>`), or on groups matching a wildcard pattern
 * (`webpubsub.sendToGroups.<pattern>`, plural).
 */
export function roleFor(permission: Permission, target?: { group: string } | { pattern: string }): string {
  if (target === undefined) return `${ROLE_PREFIX}${permission}`;
  return "group" in target ? `${ROLE_PREFIX}${permission}.${target.group}` : `${ROLE_PREFIX}${permission}s.${target.pattern}`;
}

/** What one role string grants; `unknown` for roles the service ignores. Role prefixes are case-insensitive. */
export type ParsedRole =
  | { kind: "all"; permission: Permission }
  | { kind: "group"; permission: Permission; group: string }
  | { kind: "pattern"; permission: Permission; pattern: string }
  | { kind: "unknown" };

/** Reads a role string; the group or pattern is the whole rest of the string, dots included. */
export function parseRole(role: string): ParsedRole {
  for (const permission of PERMISSIONS) {
    // Plural first: "webpubsub.joinLeaveGroups.x" also starts with the singular prefix.
    const plural = `${ROLE_PREFIX}${permission}s.`;
    if (startsWithIgnoreCase(role, plural)) return { kind: "pattern", permission, pattern: role.slice(plural.length) };
    const single = `${ROLE_PREFIX}${permission}`;
    if (role.toLowerCase() === single.toLowerCase()) return { kind: "all", permission };
    if (startsWithIgnoreCase(role, `${single}.`) && role.length > single.length + 1) {
      return { kind: "group", permission, group: role.slice(single.length + 1) };
    }
  }
  return { kind: "unknown" };
}

function startsWithIgnoreCase(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}
