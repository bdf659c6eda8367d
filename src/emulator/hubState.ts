// Who is connected to one hub, and the group and user indexes over them.
import type { ClientConnection } from "./connection.js";

/** Connections, groups and users of one hub (hub names are already normalized). */
export class HubState {
  readonly name: string;
  readonly connections = new Map<string, ClientConnection>();
  // Each membership carries an increasing ordinal: page tokens say "after ordinal n",
  // which stays correct while members come and go between pages.
  private readonly groups = new Map<string, Map<ClientConnection, number>>();
  private readonly users = new Map<string, Set<ClientConnection>>();
  private nextOrdinal = 1;

  constructor(name: string) {
    this.name = name;
  }

  /** Registers a new connection (and its user). */
  add(conn: ClientConnection): void {
    this.connections.set(conn.id, conn);
    if (conn.userId !== null) {
      let set = this.users.get(conn.userId);
      if (!set) this.users.set(conn.userId, (set = new Set()));
      set.add(conn);
    }
  }

  /** Drops a connection from every index. */
  remove(conn: ClientConnection): void {
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
  join(conn: ClientConnection, group: string): void {
    if (conn.groups.has(group)) return;
    let members = this.groups.get(group);
    if (!members) this.groups.set(group, (members = new Map()));
    members.set(conn, this.nextOrdinal++);
    conn.groups.add(group);
  }

  /** Removes from a group; a no-op when not a member. */
  leave(conn: ClientConnection, group: string): void {
    if (!conn.groups.delete(group)) return;
    const members = this.groups.get(group);
    members?.delete(conn);
    if (members?.size === 0) this.groups.delete(group);
  }

  /** Removes from every group. */
  leaveAll(conn: ClientConnection): void {
    for (const group of [...conn.groups]) this.leave(conn, group);
  }

  /** Members of a group in join order, with their ordinals. */
  groupMembers(group: string): ReadonlyMap<ClientConnection, number> {
    return this.groups.get(group) ?? EMPTY_MEMBERS;
  }

  /** True when the group has at least one member. */
  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  /** Live connections of a user. */
  userConnections(userId: string): ReadonlySet<ClientConnection> {
    return this.users.get(userId) ?? EMPTY_SET;
  }
}

const EMPTY_MEMBERS: ReadonlyMap<ClientConnection, number> = new Map();
const EMPTY_SET: ReadonlySet<ClientConnection> = new Set();

/** All hubs, created on first use. */
export class HubRegistry {
  private readonly hubs = new Map<string, HubState>();

  /** The hub for an already-normalized name. */
  get(name: string): HubState {
    let hub = this.hubs.get(name);
    if (!hub) this.hubs.set(name, (hub = new HubState(name)));
    return hub;
  }

  /** The hub if it exists, without creating it. */
  peek(name: string): HubState | undefined {
    return this.hubs.get(name);
  }

  /** Every hub that was ever touched. */
  all(): IterableIterator<HubState> {
    return this.hubs.values();
  }
}
