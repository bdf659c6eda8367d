// The dashboard page's logic that needs no browser: the store that applies the event stream,
// and the lines the traffic log shows. They are plain browser ES modules without a DOM
// dependency, imported here as they are served (no types: the page has no build step).
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ASSETS = join(dirname(fileURLToPath(import.meta.url)), "../../src/emulator/dashboard/assets");
type Any = any;
const load = (name: string): Promise<Any> => import(pathToFileURL(join(ASSETS, name)).href);

const T = 1_700_000_000_000;
const connected = (seq: number, id: string, extra: object = {}) => ({ type: "connected", hub: "chat", connectionId: id, userId: "u", subprotocol: null, time: T + seq, seq, ...extra });
const state = (traffic: object[] = []) => ({
  endpoint: "http://localhost:8080",
  version: "1.0.0",
  hubs: [
    {
      name: "chat",
      upstream: { configured: false, fault: null },
      connections: [{ hub: "chat", connectionId: "a", userId: "u", subprotocol: null, roles: [], groups: ["g"], state: "open", connectedAt: T, messagesIn: 1, messagesOut: 2 }],
      groups: [{ name: "g", members: ["a"] }],
    },
  ],
  traffic,
});

describe("dashboard page: store", () => {
  let Store: Any;
  before(async () => ({ Store } = await load("store.js")));

  it("skips entries a snapshot already held, by seq", () => {
    const store = new Store();
    store.load(state([connected(5, "a")]), true);
    const { fresh } = store.apply([connected(4, "x"), connected(5, "a"), connected(6, "b")]);
    assert.deepEqual(fresh.map((e: Any) => e.seq), [6]);
    assert.deepEqual([...store.hubs.get("chat").connections.keys()], ["a", "b"]);
    assert.equal(store.traffic.length, 2);
  });

  it("adds a connection with the roles and groups of its event, without asking for a snapshot", () => {
    const store = new Store();
    store.load(state(), true);
    const { refresh } = store.apply([connected(1, "b", { roles: ["webpubsub.joinLeaveGroup"], groups: ["g", "h"] })]);
    assert.equal(refresh, false);
    const hub = store.hubs.get("chat");
    assert.deepEqual(hub.connections.get("b").roles, ["webpubsub.joinLeaveGroup"]);
    assert.deepEqual(hub.groups.get("g"), ["a", "b"]);
    assert.deepEqual(hub.groups.get("h"), ["b"]);
  });

  it("asks for a snapshot when a connected event lacks groups, or a join is acked, or a REST write succeeds", () => {
    const store = new Store();
    store.load(state(), true);
    assert.equal(store.apply([connected(1, "b")]).refresh, true);
    assert.equal(store.apply([{ type: "frameIn", hub: "chat", connectionId: "a", frameType: "joinGroup", group: "h", ackId: 7, size: 40, time: T, seq: 2 }]).refresh, false);
    assert.equal(store.apply([{ type: "frameOut", hub: "chat", connectionId: "a", frameType: "ack", ackId: 7, success: true, time: T, seq: 3 }]).refresh, true);
    assert.equal(store.apply([{ type: "frameOut", hub: "chat", connectionId: "a", frameType: "ack", ackId: 8, success: true, time: T, seq: 4 }]).refresh, false, "an ack of something else");
    assert.equal(store.apply([{ type: "rest", method: "PUT", path: "/api/hubs/chat/groups/g/connections/a", status: 200, time: T, seq: 5 }]).refresh, true);
    assert.equal(store.apply([{ type: "rest", method: "POST", path: "/api/hubs/chat/:send", status: 202, time: T, seq: 6 }]).refresh, false);
    assert.equal(store.apply([{ type: "rest", method: "PUT", path: "/api/hubs/chat/groups/g/connections/a", status: 404, time: T, seq: 7 }]).refresh, false);
  });

  it("marks a disconnected connection closed with its code and takes it out of its groups", () => {
    const store = new Store();
    store.load(state(), true);
    store.apply([{ type: "disconnected", hub: "chat", connectionId: "a", reason: "bye", closeCode: 4001, time: T + 1, seq: 1 }]);
    const c = store.hubs.get("chat").connections.get("a");
    assert.equal(c.state, "closed");
    assert.equal(c.closeCode, 4001);
    assert.equal(c.closeReason, "bye");
    assert.equal(store.hubs.get("chat").groups.has("g"), false);
  });

  it("keeps at most 100 closed connections per hub, dropping the oldest", () => {
    const store = new Store();
    store.load(state(), true);
    const events = [];
    for (let i = 0; i < 120; i++) events.push(connected(2 * i + 1, `c${i}`, { groups: [] }), { type: "disconnected", hub: "chat", connectionId: `c${i}`, reason: "x", time: T + 2 * i + 2, seq: 2 * i + 2 });
    store.apply(events);
    const closed = [...store.hubs.get("chat").connections.values()].filter((c: Any) => c.state === "closed");
    assert.equal(closed.length, 100);
    assert.equal(store.hubs.get("chat").connections.has("c19"), false);
    assert.equal(store.hubs.get("chat").connections.has("c20"), true);
    assert.equal(store.hubs.get("chat").connections.get("a").state, "open");
  });

  it("keeps the last 500 traffic entries and applies counters", () => {
    const store = new Store();
    store.load(state(), true);
    store.apply(Array.from({ length: 600 }, (_, i) => ({ type: "log", level: "info", message: `m${i}`, time: T, seq: i + 1 })));
    assert.equal(store.traffic.length, 500);
    assert.equal(store.traffic[0].message, "m100");
    store.applyCounters([{ hub: "chat", connectionId: "a", messagesIn: 9, messagesOut: 10 }, { hub: "chat", connectionId: "gone", messagesIn: 1, messagesOut: 1 }]);
    assert.equal(store.hubs.get("chat").connections.get("a").messagesIn, 9);
  });
});

describe("dashboard page: traffic lines", () => {
  let describeEntry: Any;
  let describeCloseCode: Any;
  before(async () => ({ describeEntry, describeCloseCode } = await load("describe.js")));

  it("shows a REST call with status and reason, its hub from the path, and refusals as such", () => {
    const d = describeEntry({ type: "rest", method: "POST", path: "/api/hubs/Chat%20Room/:send", status: 401, errorCode: "Unauthorized", reason: "bad token", why: "token expired at 12:00", time: T, seq: 1 });
    assert.equal(d.kind, "rest");
    assert.equal(d.hub, "chat room");
    assert.equal(d.text, "REST POST /api/hubs/Chat%20Room/:send → 401 Unauthorized: bad token");
    assert.equal(d.why, "token expired at 12:00");
    assert.equal(d.refused, true);
    assert.equal(describeEntry({ type: "rest", method: "GET", path: "/api/health", status: 200, time: T, seq: 2 }).refused, false);
  });

  it("shows an ack's result and a negative ack's error and why", () => {
    const ok = describeEntry({ type: "frameOut", hub: "chat", connectionId: "a", frameType: "ack", ackId: 3, success: true, time: T, seq: 1 });
    assert.equal(ok.text, "out a ack ackId 3 ok");
    assert.equal(ok.refused, false);
    const nack = describeEntry({ type: "frameOut", hub: "chat", connectionId: "a", frameType: "ack", ackId: 4, success: false, error: { name: "Forbidden", message: "no" }, why: "role webpubsub.sendToGroup.g missing", time: T, seq: 2 });
    assert.equal(nack.text, "out a ack ackId 4 failed: Forbidden: no");
    assert.equal(nack.why, "role webpubsub.sendToGroup.g missing");
    assert.equal(nack.refused, true);
    assert.equal(nack.tone, "error");
  });

  it("shows upstream calls with status, latency and a connect handler's answer", () => {
    const d = describeEntry({ type: "upstream", hub: "chat", connectionId: "a", event: "connect", result: "ok", status: 200, durationMs: 12.4, answer: { userId: "bob", groups: ["g"] }, time: T, seq: 1 });
    assert.equal(d.kind, "upstream");
    assert.equal(d.text, "upstream connect for a → 200 ok in 12 ms; answer: user bob, groups [g]");
    assert.equal(describeEntry({ type: "upstream", hub: "chat", connectionId: "a", event: "connect", result: "rejected", status: 401, durationMs: 3, time: T, seq: 2 }).refused, true);
  });

  it("shows close codes by name where they have one, and marks pings and sequence acks as control frames", () => {
    assert.equal(describeCloseCode(1008), "1008 (policy violation)");
    assert.equal(describeCloseCode(4001), "4001");
    const d = describeEntry({ type: "disconnected", hub: "chat", connectionId: "a", reason: "closed by the dashboard", closeCode: 1006, time: T, seq: 1 });
    assert.equal(d.text, "disconnected a: closed by the dashboard (close 1006 (abnormal closure (no close frame)))");
    assert.equal(describeEntry({ type: "frameIn", hub: "chat", connectionId: "a", frameType: "sequenceAck", size: 30, time: T, seq: 2 }).control, true);
    assert.equal(describeEntry({ type: "frameIn", hub: "chat", connectionId: "a", frameType: "sendToGroup", size: 30, time: T, seq: 3 }).control, false);
    assert.equal(describeEntry({ type: "dropped", count: 42, time: T, seq: 4 }).text, "42 frame events not shown (sampled under load)");
  });
});
