// What the page knows: the last snapshot plus the events since. Events update it at once;
// the few changes they do not describe fully (group membership, roles from the token) make
// the page ask for a fresh snapshot (coalesced in app.js).

/** How many traffic entries the page keeps (the server keeps the same). */
export const TRAFFIC_LIMIT = 500;
/** How many closed connections stay listed per hub. */
export const CLOSED_LIMIT = 100;

function hubOf(store, name) {
  let hub = store.hubs.get(name);
  if (!hub) {
    hub = { name, upstream: { configured: false, fault: null }, connections: new Map(), groups: new Map() };
    store.hubs.set(name, hub);
  }
  return hub;
}

function trimClosed(hub) {
  const closed = [...hub.connections.values()].filter((c) => c.state === "closed");
  if (closed.length <= CLOSED_LIMIT) return;
  closed.sort((a, b) => (a.closedAt ?? a.connectedAt) - (b.closedAt ?? b.connectedAt));
  for (const c of closed.slice(0, closed.length - CLOSED_LIMIT)) hub.connections.delete(c.connectionId);
}

// Frames whose success changes membership; their ack tells whether it did.
const MEMBERSHIP_FRAMES = new Set(["joinGroup", "leaveGroup"]);

/** The page's model of the emulator. */
export class Store {
  constructor() {
    this.endpoint = "";
    this.version = "";
    this.hubs = new Map();
    this.traffic = [];
    this.lastSeq = 0;
    // `connectionId/ackId` of join and leave requests whose ack is awaited.
    this.pendingMembership = new Set();
  }

  /** Replaces everything but the traffic log with a DashboardState (and the log too when `withTraffic`). */
  load(state, withTraffic) {
    this.endpoint = state.endpoint ?? "";
    this.version = state.version ?? "";
    const hubs = new Map();
    for (const view of state.hubs ?? []) {
      const connections = new Map();
      for (const c of view.connections ?? []) connections.set(c.connectionId, { ...c });
      const groups = new Map();
      for (const g of view.groups ?? []) groups.set(g.name, [...g.members]);
      hubs.set(view.name, { name: view.name, upstream: view.upstream ?? { configured: false, fault: null }, connections, groups });
    }
    this.hubs = hubs;
    if (withTraffic) {
      this.traffic = (state.traffic ?? []).slice(-TRAFFIC_LIMIT);
      this.lastSeq = this.traffic.length ? this.traffic[this.traffic.length - 1].seq : 0;
    }
  }

  /** Adds entries to the log and applies what they say. Returns true when a fresh snapshot is needed. */
  apply(entries) {
    let refresh = false;
    const fresh = [];
    for (const e of entries) {
      // A reconnect's snapshot already holds what came before it.
      if (typeof e.seq === "number" && e.seq <= this.lastSeq) continue;
      if (typeof e.seq === "number") this.lastSeq = e.seq;
      fresh.push(e);
      if (this.applyOne(e)) refresh = true;
    }
    this.traffic.push(...fresh);
    if (this.traffic.length > TRAFFIC_LIMIT) this.traffic.splice(0, this.traffic.length - TRAFFIC_LIMIT);
    return { fresh, refresh };
  }

  applyOne(e) {
    switch (e.type) {
      case "connected": {
        const hub = hubOf(this, e.hub);
        hub.connections.set(e.connectionId, {
          hub: e.hub,
          connectionId: e.connectionId,
          userId: e.userId,
          subprotocol: e.subprotocol,
          roles: Array.isArray(e.roles) ? [...e.roles] : [],
          groups: Array.isArray(e.groups) ? [...e.groups] : [],
          state: "open",
          connectedAt: e.time,
          messagesIn: 0,
          messagesOut: 0,
        });
        if (!Array.isArray(e.groups)) return true; // an older event without roles and groups: ask
        for (const g of e.groups) {
          const members = hub.groups.get(g) ?? [];
          if (!members.includes(e.connectionId)) members.push(e.connectionId);
          hub.groups.set(g, members);
        }
        return false;
      }
      case "detached":
      case "recovered": {
        const c = this.hubs.get(e.hub)?.connections.get(e.connectionId);
        if (c) c.state = e.type === "detached" ? "detached" : "open";
        return false;
      }
      case "disconnected": {
        const hub = this.hubs.get(e.hub);
        const c = hub?.connections.get(e.connectionId);
        if (c) {
          c.state = "closed";
          c.closedAt = e.time;
          if (e.closeCode !== undefined) c.closeCode = e.closeCode;
          c.closeReason = e.reason;
          for (const g of c.groups) {
            const members = hub.groups.get(g);
            if (!members) continue;
            const left = members.filter((id) => id !== e.connectionId);
            if (left.length) hub.groups.set(g, left);
            else hub.groups.delete(g);
          }
          trimClosed(hub);
        }
        return false;
      }
      case "frameOut": {
        // The ack of a join or leave: the membership changed if it succeeded.
        if (e.frameType !== "ack") return false;
        const key = `${e.connectionId}/${e.ackId}`;
        if (!this.pendingMembership.delete(key)) return false;
        return e.success === true;
      }
      case "frameIn":
        if (MEMBERSHIP_FRAMES.has(e.frameType) && !e.error) {
          // Without an ackId nothing will confirm it: ask now.
          if (e.ackId === undefined) return true;
          // Acks lost to sampling must not grow the set for ever.
          if (this.pendingMembership.size > 1000) this.pendingMembership.clear();
          this.pendingMembership.add(`${e.connectionId}/${e.ackId}`);
        }
        return false;
      case "upstream":
        // An armed fault counts down with each call: show the new count.
        return this.hubs.get(e.hub)?.upstream.fault != null;
      case "rest":
        // Group and user membership, closing, permissions: every successful write under a hub.
        return e.status < 300 && e.method !== "GET" && e.method !== "HEAD" && !/\/:send$/.test(e.path);
      default:
        return false;
    }
  }

  /** Applies `{ hub, connectionId, messagesIn, messagesOut }[]`. */
  applyCounters(list) {
    for (const n of list) {
      const c = this.hubs.get(n.hub)?.connections.get(n.connectionId);
      if (!c) continue;
      c.messagesIn = n.messagesIn;
      c.messagesOut = n.messagesOut;
    }
  }

  /** Every connection of `hubName` (all hubs when empty). */
  connections(hubName) {
    const out = [];
    for (const hub of this.hubs.values()) {
      if (hubName && hub.name !== hubName) continue;
      for (const c of hub.connections.values()) out.push(c);
    }
    return out;
  }
}
