import assert from "node:assert/strict";
import { EmulatorEvents, formatEvent, type EmulatorEvent, type Emulator } from "../../src/emulator/index.js";
import { clientsClosedAfterEach, connectJson, eventually, rest, start, startHandler, type HandlerServer } from "./helpers.js";

/** Events without their timestamps, for deepEqual. */
function untimed(events: EmulatorEvent[]): Omit<EmulatorEvent, "time">[] {
  return events.map(({ time, ...rest }) => (assert.equal(typeof time, "number"), rest));
}

describe("emulator event stream", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  const events: EmulatorEvent[] = [];
  const lines: string[] = [];
  const clients = clientsClosedAfterEach();

  before(async () => {
    handler = await startHandler((r) => (r.headers["ce-eventname"] === "deny" ? { status: 400 } : undefined));
    emu = await start({
      hubs: { ev: { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "deny,echo" }] } },
      onEvent: (e) => events.push(e),
      onLog: (l) => lines.push(l),
    });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });
  beforeEach(() => {
    events.length = 0;
    lines.length = 0;
  });

  it("gives the listening event to onEvent subscribers from the start", async () => {
    const early: EmulatorEvent[] = [];
    const other = await start({ onEvent: (e) => early.push(e) });
    await other.close();
    assert.equal(early[0]?.type, "listening");
    assert.equal(early[0]?.type === "listening" && early[0].endpoint, other.endpoint);
  });

  it("reports a client's life as typed events: connected, frames in and out with ack results, REST, disconnected", async () => {
    const c = await connectJson(emu, "ev", { userId: "ann", roles: ["webpubsub.sendToGroup"] });
    const id = c.connectionId;
    await c.request({ type: "joinGroup", group: "g", ackId: 1 });
    await rest(emu, "DELETE", `/api/hubs/ev/connections/${id}`, { query: { reason: "bye" } });
    await c.closed;
    await eventually(() => events.some((e) => e.type === "disconnected"));
    const mine = untimed(events.filter((e) => e.type !== "log" && e.type !== "upstream"));
    // The token's claims come with `connected` (never the token itself).
    const connected = mine[0] as { claims?: Record<string, unknown> };
    const claims = connected.claims;
    delete connected.claims;
    assert.equal(claims?.["sub"], "ann");
    assert.deepEqual(claims?.["role"], ["webpubsub.sendToGroup"]);
    assert.match(String(claims?.["aud"]), /\/client\/hubs\/ev$/);
    assert.equal(typeof claims?.["exp"], "number");
    assert.deepEqual(mine, [
      {
        type: "connected",
        hub: "ev",
        connectionId: id,
        userId: "ann",
        subprotocol: "json.webpubsub.azure.v1",
        roles: ["webpubsub.sendToGroup"],
        groups: [],
      },
      { type: "frameOut", hub: "ev", connectionId: id, frameType: "system" },
      { type: "frameIn", hub: "ev", connectionId: id, frameType: "joinGroup", size: 42, ackId: 1, group: "g" },
      {
        type: "frameOut",
        hub: "ev",
        connectionId: id,
        frameType: "ack",
        ackId: 1,
        success: false,
        error: { name: "Forbidden", message: "The connection has no permission to join group 'g'." },
        why: "role webpubsub.joinLeaveGroup.g missing (nor webpubsub.joinLeaveGroup, nor a wildcard role matching 'g')",
      },
      { type: "frameOut", hub: "ev", connectionId: id, frameType: "system" },
      { type: "disconnected", hub: "ev", connectionId: id, reason: "bye", closeCode: 1000 },
      { type: "rest", method: "DELETE", path: `/api/hubs/ev/connections/${id}`, status: 204, requestId: (mine.find((e) => e.type === "rest") as unknown as { requestId: string }).requestId },
    ]);
  });

  it("reports a rejected frame with the decoder's reason", async () => {
    const c = await connectJson(emu, "ev");
    clients.push(c);
    await c.requestRaw({ type: "joinGroup", group: "", ackId: 7 });
    const rejected = events.find((e) => e.type === "frameIn");
    assert.ok(rejected?.type === "frameIn");
    assert.equal(rejected.frameType, "joinGroup");
    assert.equal(rejected.ackId, 7);
    assert.match(rejected.error ?? "", /^invalid-group: /);
  });

  it("reports each blocking upstream call with its result and status", async () => {
    const c = await connectJson(emu, "ev");
    clients.push(c);
    await c.request({ type: "event", event: "deny", ackId: 1, dataType: "text", data: "x" });
    await c.request({ type: "event", event: "echo", ackId: 2, dataType: "text", data: "x" });
    await c.request({ type: "event", event: "other", ackId: 3, dataType: "text", data: "x" });
    const calls = events.filter((e) => e.type === "upstream").map((e) => e.type === "upstream" && [e.event, e.result, e.status]);
    // The hub has no connect handler; "other" has no handler either, so it is never called.
    assert.deepEqual(calls, [
      ["connect", "no-handler", undefined],
      ["deny", "failed", 400],
      ["echo", "ok", undefined],
    ]);
  });

  it("prints client requests and acks with their errors through onLog (the CLI's log)", async () => {
    const c = await connectJson(emu, "ev");
    clients.push(c);
    await c.request({ type: "sendToGroup", group: "room", ackId: 4, dataType: "text", data: "hi" });
    await c.request({ type: "event", event: "deny", ackId: 5, dataType: "text", data: "x" });
    const log = lines.join("\n");
    assert.match(log, new RegExp(`\\[ev\\] ${c.connectionId} -> sendToGroup group 'room' ackId 4 \\(\\d+ bytes\\)`));
    assert.match(log, new RegExp(`\\[ev\\] ${c.connectionId} <- ack 4 failed: Forbidden: The connection has no permission to send to group 'room'\\.`));
    assert.match(log, /<- ack 5 failed: InternalServerError: The event handler for 'deny' failed with status 400\./);
    assert.doesNotMatch(log, /-> ping|<- message/);
  });

  it("keeps serving when a subscriber throws, and stops calling one that unsubscribed", async () => {
    let calls = 0;
    const off = emu.events.on("rest", () => {
      calls++;
      throw new Error("subscriber bug");
    });
    assert.equal((await rest(emu, "POST", "/api/hubs/ev/:send", { body: "x" })).status, 202);
    off();
    assert.equal((await rest(emu, "POST", "/api/hubs/ev/:send", { body: "x" })).status, 202);
    assert.equal(calls, 1);
  });

  describe("EmulatorEvents", () => {
    it("builds nothing for types nobody listens to", () => {
      const stream = new EmulatorEvents();
      assert.equal(stream.wants("frameOut"), false);
      const off = stream.on("frameIn", () => undefined);
      assert.equal(stream.wants("frameIn"), true);
      assert.equal(stream.wants("frameOut"), false);
      off();
      assert.equal(stream.wants("frameIn"), false);
      stream.on("*", () => undefined);
      assert.equal(stream.wants("frameOut"), true);
    });

    it("delivers each event to its type's listeners and to '*' listeners, stamped with a time", () => {
      const stream = new EmulatorEvents();
      const got: string[] = [];
      stream.on("rest", (e) => got.push(`rest ${e.status}`));
      stream.on("*", (e) => got.push(`* ${e.type} ${typeof e.time}`));
      stream.emit({ type: "rest", method: "GET", path: "/api/health", status: 200 });
      stream.emit({ type: "log", level: "info", message: "m" });
      assert.deepEqual(got, ["rest 200", "* rest number", "* log number"]);
    });
  });

  describe("formatEvent", () => {
    it("leaves out the frames too frequent to print", () => {
      const base = { time: 0, hub: "h", connectionId: "c" };
      assert.equal(formatEvent({ ...base, type: "frameOut", frameType: "message", sequenceId: 3 }), undefined);
      assert.equal(formatEvent({ ...base, type: "frameIn", frameType: "ping", size: 15 }), undefined);
      assert.equal(formatEvent({ ...base, type: "frameIn", frameType: "sequenceAck", size: 30 }), undefined);
    });

    it("adds the rule behind a refusal when it says more than the reason", () => {
      const rest = { time: 0, type: "rest", method: "GET", path: "/api/x", status: 401, errorCode: "Error.Unauthorized", reason: "token rejected: expired", requestId: "r2" } as const;
      assert.equal(formatEvent({ ...rest, why: "token expired at 2020-01-01T00:00:00.000Z" }), "REST GET /api/x -> 401 Error.Unauthorized: token rejected: expired; token expired at 2020-01-01T00:00:00.000Z (request id r2)");
      assert.equal(formatEvent({ ...rest, why: rest.reason }), "REST GET /api/x -> 401 Error.Unauthorized: token rejected: expired (request id r2)");
      assert.equal(
        formatEvent({ time: 0, type: "handshakeRefused", hub: "h", status: 401, reason: "token rejected: signature", why: "signature does not match" }),
        "[h] handshake refused with 401: token rejected: signature; signature does not match",
      );
      const nack = { time: 0, type: "frameOut", hub: "h", connectionId: "c", frameType: "ack", ackId: 1, success: false, error: { name: "Forbidden", message: "no" } } as const;
      assert.equal(formatEvent({ ...nack, why: "role webpubsub.sendToGroup.g missing" }), "[h] c <- ack 1 failed: Forbidden: no (role webpubsub.sendToGroup.g missing)");
    });

    it("names a failed REST call's error code, reason and request id", () => {
      const line = formatEvent({ time: 0, type: "rest", method: "POST", path: "/api/x", status: 400, errorCode: "Error.BadRequest", reason: "bad", requestId: "r1" });
      assert.equal(line, "REST POST /api/x -> 400 Error.BadRequest: bad (request id r1)");
    });

    it("describes the close code of a disconnection", () => {
      const line = formatEvent({ time: 0, type: "disconnected", hub: "h", connectionId: "c", reason: "r", closeCode: 1008 });
      assert.match(line ?? "", /^\[h\] disconnected c: r \(close 1008 PolicyViolation: /);
    });
  });
});
