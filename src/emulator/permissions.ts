// Group permissions of one connection (protocol-emulator.md §2.7): from token roles or the
// connect response, changed at run time by the REST permissions API.

/** The two permissions a client can hold on groups. */
export type GroupPermission = "joinLeaveGroup" | "sendToGroup";

const KINDS: readonly GroupPermission[] = ["joinLeaveGroup", "sendToGroup"];

/** Parses the REST `{permission}` path value (case-insensitive); undefined if unknown. */
export function parsePermission(text: string): GroupPermission | undefined {
  return KINDS.find((k) => k.toLowerCase() === text.toLowerCase());
}

class Grant {
  all = false;
  readonly literals = new Set<string>();
  readonly patterns: RegExp[] = [];
  // A revoke on one group wins over `all` and wildcards ([emu]).
  readonly denied = new Set<string>();

  allows(group: string): boolean {
    if (this.denied.has(group)) return false;
    return this.all || this.literals.has(group) || this.patterns.some((p) => p.test(group));
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
      g.denied.clear();
    } else {
      g.literals.add(target);
      g.denied.delete(target);
    }
  }

  /** REST revoke: without a target, everything of that kind, token roles included. */
  revoke(kind: GroupPermission, target: string | undefined): void {
    const g = this.grants[kind];
    if (target === undefined) {
      g.all = false;
      g.literals.clear();
      g.patterns.length = 0;
      g.denied.clear();
      return;
    }
    g.literals.delete(target);
    if (g.all || g.patterns.some((p) => p.test(target))) g.denied.add(target);
  }

  // Returns why the role is invalid, or undefined.
  private addRole(role: string): string | undefined {
    for (const kind of KINDS) {
      // Plural first: "webpubsub.joinLeaveGroups.x" also starts with the singular prefix.
      const plural = `webpubsub.${kind}s.`;
      if (startsWithIgnoreCase(role, plural)) {
        const pattern = role.slice(plural.length);
        const compiled = compileWildcard(pattern);
        if (typeof compiled === "string") return compiled;
        this.grants[kind].patterns.push(compiled);
        return undefined;
      }
      const single = `webpubsub.${kind}`;
      if (role.toLowerCase() === single.toLowerCase()) {
        this.grants[kind].all = true;
        return undefined;
      }
      // The group is the whole rest of the string, dots included.
      if (startsWithIgnoreCase(role, `${single}.`) && role.length > single.length + 1) {
        this.grants[kind].literals.add(role.slice(single.length + 1));
        return undefined;
      }
    }
    return undefined;
  }
}

function startsWithIgnoreCase(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/**
 * Compiles a wildcard group pattern (azure-docs concept-wildcard-group-roles): `?` one
 * non-dot character, `*` any run of non-dot characters, `**` anything, `\` escapes.
 * Case-sensitive. Returns an error text for invalid patterns.
 */
export function compileWildcard(pattern: string): RegExp | string {
  if (pattern === "") return "empty pattern";
  let source = "";
  let stars = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return "pattern ends with an escape";
      source += escapeRegExp(next);
      i++;
    } else if (c === "*") {
      stars++;
      if (pattern[i + 1] === "*") {
        source += ".*";
        i++;
      } else {
        source += "[^.]*";
      }
    } else if (c === "?") {
      source += "[^.]";
    } else {
      source += escapeRegExp(c);
    }
  }
  if (stars > 5) return "more than five '*' wildcards";
  return new RegExp(`^${source}$`, "s");
}

function escapeRegExp(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
