// Group permissions of one connection: from token roles or the connect response, changed at
// run time by the REST permissions API. Role and permission names come from core
// (docs/protocol.md#permissions-and-roles).
import { parsePermission, parseRole, type Permission } from "../core/index.js";

/** The two permissions a client can hold on groups. */
export type GroupPermission = Permission;

export { parsePermission };

// The collections start empty and shared, and are replaced on the first write: most
// connections hold no group permission, and an emulator may hold many idle connections.
const NONE: ReadonlySet<string> = new Set();
const NO_PATTERNS: readonly WildcardPattern[] = [];

class Grant {
  all = false;
  literals: ReadonlySet<string> = NONE;
  patterns: readonly WildcardPattern[] = NO_PATTERNS;
  // A revoke on one group wins over `all` and wildcards (docs/protocol.md#permissions-and-roles).
  denied: ReadonlySet<string> = NONE;

  allows(group: string): boolean {
    if (this.denied.has(group)) return false;
    return this.all || this.literals.has(group) || this.patterns.some((p) => p.test(group));
  }

  /** Adds to (true) or removes from (false) `literals` or `denied`. */
  edit(which: "literals" | "denied", group: string, add: boolean): void {
    if (!add && !this[which].has(group)) return;
    const set = this[which] === NONE ? new Set<string>() : (this[which] as Set<string>);
    if (add) set.add(group);
    else set.delete(group);
    this[which] = set;
  }
}

/** Mutable permission set of one connection. */
export class Permissions {
  private readonly grants: Record<GroupPermission, Grant> = {
    joinLeaveGroup: new Grant(),
    sendToGroup: new Grant(),
  };

  /**
   * Builds the set from role strings. Unknown roles are ignored; bad wildcard
   * patterns are reported through `onInvalid` and ignored.
   */
  constructor(roles: readonly string[] = [], onInvalid?: (role: string, why: string) => void) {
    for (const role of roles) {
      const why = this.addRole(role);
      if (why) onInvalid?.(role, why);
    }
  }

  /** True when the connection may do `kind` on `group`. */
  allows(kind: GroupPermission, group: string): boolean {
    return this.grants[kind].allows(group);
  }

  /** REST check: with a target, that group; without, the permission on every group. */
  check(kind: GroupPermission, target: string | undefined): boolean {
    const g = this.grants[kind];
    return target === undefined ? g.all && g.denied.size === 0 : g.allows(target);
  }

  /** REST grant: without a target, every group. */
  grant(kind: GroupPermission, target: string | undefined): void {
    const g = this.grants[kind];
    if (target === undefined) {
      g.all = true;
      g.denied = NONE;
    } else {
      g.edit("literals", target, true);
      g.edit("denied", target, false);
    }
  }

  /** REST revoke: without a target, everything of that kind, token roles included. */
  revoke(kind: GroupPermission, target: string | undefined): void {
    const g = this.grants[kind];
    if (target === undefined) {
      g.all = false;
      g.literals = NONE;
      g.patterns = NO_PATTERNS;
      g.denied = NONE;
      return;
    }
    g.edit("literals", target, false);
    if (g.all || g.patterns.some((p) => p.test(target))) g.edit("denied", target, true);
  }

  // Returns why the role is invalid, or undefined. Unknown roles are ignored, as the service does.
  private addRole(role: string): string | undefined {
    const parsed = parseRole(role);
    switch (parsed.kind) {
      case "all":
        this.grants[parsed.permission].all = true;
        return undefined;
      case "group":
        this.grants[parsed.permission].edit("literals", parsed.group, true);
        return undefined;
      case "pattern": {
        const compiled = compileWildcard(parsed.pattern);
        if (typeof compiled === "string") return compiled;
        const grant = this.grants[parsed.permission];
        grant.patterns = [...grant.patterns, compiled];
        return undefined;
      }
      case "unknown":
        return undefined;
    }
  }
}

type WildcardToken = { kind: "char"; char: string } | { kind: "one" } | { kind: "star"; crossesDots: boolean };

/**
 * A compiled wildcard group pattern. It is matched by a table over (token, position) in
 * O(pattern × group) steps: a backtracking RegExp needs up to group^stars steps, and the
 * group comes from the client (up to 1024 characters).
 */
export class WildcardPattern {
  private readonly tokens: readonly WildcardToken[];

  constructor(tokens: readonly WildcardToken[]) {
    this.tokens = tokens;
  }

  /** True when the whole of `group` matches. */
  test(group: string): boolean {
    const n = group.length;
    // reach[j] is 1 when the tokens so far can match exactly group[0, j).
    let reach = new Uint8Array(n + 1);
    let next = new Uint8Array(n + 1);
    reach[0] = 1;
    for (const t of this.tokens) {
      next.fill(0);
      let any = false;
      if (t.kind === "star") {
        for (let j = 0; j <= n; j++) {
          if (reach[j] || (j > 0 && next[j - 1] && (t.crossesDots || group[j - 1] !== "."))) {
            next[j] = 1;
            any = true;
          }
        }
      } else {
        for (let j = 0; j < n; j++) {
          if (reach[j] && (t.kind === "one" ? group[j] !== "." : group[j] === t.char)) {
            next[j + 1] = 1;
            any = true;
          }
        }
      }
      if (!any) return false;
      [reach, next] = [next, reach];
    }
    return reach[n] === 1;
  }
}

/**
 * Compiles a wildcard group pattern (azure-docs concept-wildcard-group-roles): `?` one
 * non-dot character, `*` any run of non-dot characters, `**` anything, `\` escapes.
 * Case-sensitive. Returns an error text for invalid patterns.
 */
export function compileWildcard(pattern: string): WildcardPattern | string {
  if (pattern === "") return "empty pattern";
  const tokens: WildcardToken[] = [];
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return "pattern ends with an escape";
      tokens.push({ kind: "char", char: next });
      i++;
    } else if (c === "*") {
      stars++;
      const crossesDots = pattern[i + 1] === "*";
      if (crossesDots) i++;
      tokens.push({ kind: "star", crossesDots });
    } else if (c === "?") {
      tokens.push({ kind: "one" });
    } else {
      tokens.push({ kind: "char", char: c });
    }
  }
  if (stars > 5) return "more than five '*' wildcards";
  return new WildcardPattern(tokens);
}
