// Who is connected to one hub, and the group and user indexes over them. Generic over the
// member type so that hub state needs nothing from the WebSocket layer (no import cycle).

/** What the hub indexes need to know of a connection. */
export interface HubMember {
  readonly id: string;
  readonly userId: string | null;
  /** The groups the member is in; kept in step by {@link HubState.join} and {@link HubState.leave}. */
  readonly groups: Set<string>;
}

/** Connections, groups and users of one hub (hub names are already normalized). */
export class HubState<Member extends HubMember = HubMember> {
  readonly name: string;
  readonly connections = new Map<string, Member>();
  // Each membership carries an increasing ordinal: page tokens say "after ordinal n",
  // which stays correct while members come and go between pages.
  private readonly groups = new Map<string, Map<Member, number>>();
  private readonly users = new Map<string, Set<Member>>();
  private nextOrdinal = 1;

  constructor(name: string) {
    this.name = name;
  }

  /** Registers a new connection (and its user). */
  add(conn: Member): void {
    this.connections.set(conn.id, conn);
    if (conn.userId !== null) {
      let set = this.users.get(conn.userId);
      if (!set) this.users.set(conn.userId, (set = new Set()));
      set.add(conn);
    }
  }

  /** Drops a connection from every index. */
  remove(conn: Member): void {
    if (this.connections.get(conn.id) !== conn) return;
    this.connections.delete(conn.id);
    this.leaveAll(conn);
    if (conn.userId !== null) {
      const set = this.users.get(conn.userId);
      set?.delete(conn);
      if (set?.size === 0) this.users.delete(conn.userId);
    }
  }

  /** Adds to a group; a no-op when already a member. */
  join(conn: Member, group: string): void {
    if (conn.groups.has(group)) return;
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Map()));
    members.set(conn, this.nextOrdinal++);
    conn.groups.add(group);
  }

  /** Removes from a group; a no-op when not a member. */
  leave(conn: Member, group: string): void {
    if (!conn.groups.delete(group)) return;
    const members = this.groups.get(group);
    members?.delete(conn);
    if (members?.size === 0) this.groups.delete(group);
  }

  /** Removes from every group. */
  leaveAll(conn: Member): void {
    for (const group of [...conn.groups]) this.leave(conn, group);
  }

  /** Members of a group in join order, with their ordinals. */
  groupMembers(group: string): ReadonlyMap<Member, number> {
    return this.groups.get(group) ?? (EMPTY_MEMBERS as ReadonlyMap<Member, number>);
  }

  /** True when the group has at least one member. */
  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  /** Live connections of a user. */
  userConnections(userId: string): ReadonlySet<Member> {
    return this.users.get(userId) ?? (EMPTY_SET as ReadonlySet<Member>);
  }
}

const EMPTY_MEMBERS: ReadonlyMap<HubMember, number> = new Map();
const EMPTY_SET: ReadonlySet<HubMember> = new Set();

/** All hubs, created on first use. */
export class HubRegistry<Member extends HubMember = HubMember> {
  private readonly hubs = new Map<string, HubState<Member>>();

  /** The hub for an already-normalized name. */
  get(name: string): HubState<Member> {
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, (hub = new HubState<Member>(name)));
    return hub;
  }

  /** The hub if it exists, without creating it. */
  peek(name: string): HubState<Member> | undefined {
    return this.hubs.get(name);
  }

  /** Every hub that was ever touched. */
  all(): IterableIterator<HubState<Member>> {
    return this.hubs.values();
  }
}
