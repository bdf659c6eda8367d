import assert from "node:assert/strict";
import { CloseCode, encodeFrame } from "../../src/core/index.js";
import { launchEmulator } from "../../src/emulator/emulator.js";
import type { Emulator } from "../../src/emulator/index.js";
import { UpstreamDispatcher } from "../../src/emulator/upstream/index.js";
import {
  CE,
  connectJson,
  eventually,
  RELIABLE_PROTOCOL,
  rest,
  start,
  startHandler,
  TestClient,
  type HandlerServer,
  clientsClosedAfterEach,
} from "./helpers.js";

/** Cuts the TCP connection under a client without a close frame, like a network drop. */
function dropSocket(c: TestClient): void {
  (c.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
}

describe("emulator reliable subprotocol", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  const clients = clientsClosedAfterEach();
  let seq = 0;
  let hub = "";

  before(async () => {
    handler = await startHandler();
    emu = await start({
      hubs: { watched: { eventHandlers: [{ urlTemplate: handler.url, systemEvents: ["connect", "connected", "disconnected"] }] } },
    });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });
  beforeEach(() => {
    hub = `r${++seq}`;
  });

  async function reliable(o: Parameters<typeof connectJson>[2] = {}, hubName = hub): Promise<TestClient> {
    const c = await connectJson(emu, hubName, o, RELIABLE_PROTOCOL);
    clients.push(c);
    return c;
  }

  function recoveryUrl(c: TestClient, token = c.reconnectionToken!, hubName = hub): string {
    const q = new URLSearchParams({ awps_connection_id: c.connectionId, awps_reconnection_token: token });
    return `ws://127.0.0.1:${emu.port}/client/hubs/${hubName}?${q}`;
  }

  async function recover(c: TestClient, hubName = hub): Promise<TestClient> {
    const r = new TestClient(recoveryUrl(c, c.reconnectionToken, hubName), RELIABLE_PROTOCOL);
    clients.push(r);
    await r.opened();
    r.connectionId = c.connectionId;
    r.reconnectionToken = c.reconnectionToken;
    return r;
  }

  const send = (c: TestClient, body: string) => rest(emu, "POST", `/api/hubs/${hub}/connections/${c.connectionId}/:send`, { body });

  it("numbers messages from 1 and leaves acks and pongs unnumbered", async () => {
    const c = await reliable({ roles: ["webpubsub.joinLeaveGroup"] });
    await send(c, "a");
    await send(c, "b");
    assert.deepEqual(await c.nextJson(), { sequenceId: 1, type: "message", from: "server", dataType: "text", data: "a" });
    assert.equal((await c.nextJson()).sequenceId, 2);
    c.send({ type: "ping" });
    assert.deepEqual(await c.nextJson(), { type: "pong" });
    assert.deepEqual(await c.request({ type: "joinGroup", group: "g", ackId: 1 }), { type: "ack", ackId: 1, success: true });
  });

  it("delivers every message exactly once and in order across a socket drop mid-stream", async () => {
    const c = await reliable();
    const total = 120;
    const received = new Map<number, string>();
    const order: number[] = [];
    const record = (m: any) => {
      if (m.type !== "message") return;
      order.push(m.sequenceId);
      received.set(m.sequenceId, m.data);
    };
    // Sends run sequentially in the background, so the drop lands in the middle of the stream.
    let sent = 0;
    const sender = (async () => {
      for (let i = 1; i <= total; i++) {
        await send(c, `m${i}`);
        sent = i;
      }
    })();
    // Read and ack part of the stream, then cut the socket.
    for (let i = 0; i < 30; i++) record(await c.nextJson());
    c.send({ type: "sequenceAck", sequenceId: 20 });
    c.send({ type: "ping" });
    // The pong proves the ack was read before the drop.
    for (let m = await c.nextJson(); m.type !== "pong"; m = await c.nextJson()) record(m);
    const acked = 20;
    const beforeDrop = Math.max(...order);
    dropSocket(c);
    await eventually(() => emu.connections(hub)[0]?.state === "detached");
    assert.ok(sent < total, "the drop happened mid-stream");

    const r = await recover(c);
    const replayed: number[] = [];
    while (received.size < total || !received.has(total)) {
      const m = await r.nextJson();
      if (m.type !== "message") continue;
      replayed.push(m.sequenceId);
      // The client side drops ids it has already seen, as the JS client does.
      if (m.sequenceId <= Math.max(...order)) continue;
      record(m);
    }
    await sender;
    assert.equal(replayed[0], acked + 1, "replay starts right after the acked id");
    assert.ok(replayed.includes(beforeDrop), "unacked messages seen before the drop are replayed");
    // After dedupe by sequenceId: every id once, ascending, and payload i at id i.
    assert.deepEqual(order, Array.from({ length: total }, (_, i) => i + 1));
    for (let i = 1; i <= total; i++) assert.equal(received.get(i), `m${i}`);
    // Replay itself is contiguous: no gaps, no repeats.
    assert.deepEqual(replayed, Array.from({ length: replayed.length }, (_, i) => acked + 1 + i));
  });

  it("keeps group membership while detached and buffers group messages", async () => {
    const c = await reliable({ groups: ["g"] });
    dropSocket(c);
    await eventually(() => emu.connections(hub)[0]?.state === "detached");
    await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send`, { body: "while away" });
    assert.equal((await rest(emu, "HEAD", `/api/hubs/${hub}/connections/${c.connectionId}`)).status, 200);
    const r = await recover(c);
    assert.deepEqual(await r.nextJson(), {
      sequenceId: 1,
      type: "message",
      from: "group",
      group: "g",
      fromUserId: null,
      dataType: "text",
      data: "while away",
    });
  });

  it("takes over from a socket the server still thinks is open", async () => {
    const c = await reliable();
    await send(c, "one");
    assert.equal((await c.nextJson()).data, "one");
    const r = await recover(c);
    assert.equal((await c.closed).code, 1006);
    assert.deepEqual(await r.nextJson(), { sequenceId: 1, type: "message", from: "server", dataType: "text", data: "one" });
    await send(c, "two");
    assert.equal((await r.nextJson()).sequenceId, 2);
  });

  it("keeps the ackId cache across recovery", async () => {
    const c = await reliable({ roles: ["webpubsub.joinLeaveGroup"] });
    assert.equal((await c.request({ type: "joinGroup", group: "g", ackId: 42 })).success, true);
    dropSocket(c);
    await eventually(() => emu.connections(hub)[0]?.state === "detached");
    const r = await recover(c);
    assert.equal((await r.request({ type: "joinGroup", group: "g", ackId: 42 })).error.name, "Duplicate");
  });

  it("opens then closes with 1008 for a wrong token, an unknown id, or a non-reliable connection", async () => {
    const c = await reliable();
    const wrong = new TestClient(recoveryUrl(c, "not-the-token"), RELIABLE_PROTOCOL);
    clients.push(wrong);
    await wrong.opened();
    assert.equal((await wrong.closed).code, 1008);

    const unknown = new TestClient(
      `ws://127.0.0.1:${emu.port}/client/hubs/${hub}?awps_connection_id=nope&awps_reconnection_token=x`,
      RELIABLE_PROTOCOL,
    );
    clients.push(unknown);
    await unknown.opened();
    assert.equal((await unknown.closed).code, 1008);

    const plain = await connectJson(emu, hub);
    clients.push(plain);
    const notReliable = new TestClient(
      `ws://127.0.0.1:${emu.port}/client/hubs/${hub}?awps_connection_id=${plain.connectionId}&awps_reconnection_token=x`,
      RELIABLE_PROTOCOL,
    );
    clients.push(notReliable);
    assert.equal((await notReliable.closed).code, 1008);
    // The original connection is untouched by the failed attempt.
    await send(c, "still mine");
    assert.equal((await c.nextJson()).data, "still mine");
  });

  it("refuses recovery in another hub", async () => {
    const c = await reliable();
    dropSocket(c);
    const other = new TestClient(recoveryUrl(c, c.reconnectionToken, `${hub}x`), RELIABLE_PROTOCOL);
    clients.push(other);
    assert.equal((await other.closed).code, 1008);
  });

  it("refuses recovery after a REST close", async () => {
    const c = await reliable();
    await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${c.connectionId}`);
    assert.equal((await c.nextJson()).event, "disconnected");
    assert.equal((await c.closed).code, 1000);
    const r = new TestClient(recoveryUrl(c), RELIABLE_PROTOCOL);
    clients.push(r);
    assert.equal((await r.closed).code, 1008);
  });

  it("ends the session when the client closes cleanly, so a later recovery is refused", async () => {
    const c = await reliable();
    c.ws.close(1000);
    await c.closed;
    await eventually(() => emu.connections(hub).length === 0);
    const r = new TestClient(recoveryUrl(c), RELIABLE_PROTOCOL);
    clients.push(r);
    assert.deepEqual(await r.closed, { code: 1008, reason: "The connection cannot be recovered." });
    assert.equal(emu.connections(hub).length, 0);
  });

  it("closes with no recovery past 1000 unacked messages", async () => {
    const c = await reliable();
    const body = Buffer.alloc(8);
    for (let i = 0; i < 1001; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, 1001 - i) }, () =>
          rest(emu, "POST", `/api/hubs/${hub}/connections/${c.connectionId}/:send`, { body, contentType: "application/octet-stream" }),
        ),
      );
    }
    const m = await c.until((x) => x.type === "system");
    assert.equal(m.event, "disconnected");
    assert.equal((await c.closed).code, 1008);
    assert.equal(emu.connections(hub).length, 0);
    const r = new TestClient(recoveryUrl(c), RELIABLE_PROTOCOL);
    clients.push(r);
    assert.equal((await r.closed).code, 1008);
  });

  describe("against a client that lies in its acks or stops reading (issue 13)", () => {
    it("closes with 1002 when a sequenceAck names an id above the last one sent, and refuses recovery", async () => {
      const c = await reliable();
      await rest(emu, "POST", `/api/hubs/${hub}/connections/${c.connectionId}/:send`, { body: "one" });
      assert.equal((await c.nextJson()).sequenceId, 1);
      c.send(encodeFrame({ type: "sequenceAck", sequenceId: Number.MAX_SAFE_INTEGER }));
      const m = await c.until((x) => x.type === "system");
      assert.equal(m.event, "disconnected");
      assert.match(m.message, /above the last id sent \(1\)/);
      assert.equal((await c.closed).code, CloseCode.ProtocolError);
      const r = new TestClient(recoveryUrl(c), RELIABLE_PROTOCOL);
      clients.push(r);
      assert.equal((await r.closed).code, CloseCode.PolicyViolation);
    });

    it("accepts an ack of exactly the last id sent", async () => {
      const c = await reliable();
      await rest(emu, "POST", `/api/hubs/${hub}/connections/${c.connectionId}/:send`, { body: "one" });
      assert.equal((await c.nextJson()).sequenceId, 1);
      c.send(encodeFrame({ type: "sequenceAck", sequenceId: 1 }));
      c.send(encodeFrame({ type: "ping" }));
      assert.equal((await c.nextJson()).type, "pong");
    });

    it("drops a client that stops reading once its socket buffer passes the bound, whatever its acks say", async () => {
      const c = await reliable();
      // The client keeps acking every id it was sent but reads nothing.
      c.ws.pause();
      const body = Buffer.alloc(900 * 1024, 1);
      for (let i = 1; i <= 40 && emu.connections(hub).length > 0; i++) {
        await rest(emu, "POST", `/api/hubs/${hub}/connections/${c.connectionId}/:send`, { body, contentType: "application/octet-stream" });
        c.send(encodeFrame({ type: "sequenceAck", sequenceId: i }));
      }
      await eventually(() => emu.connections(hub).length === 0, 10_000);
    });
  });

  it("does not re-send connect or connected on recovery, and sends disconnected once at the final close", async () => {
    const c = await reliable({}, "watched");
    const id = c.connectionId;
    const count = (event: string) => handler.requests.filter((r) => r.headers[CE.eventName] === event && r.headers[CE.connectionId] === id).length;
    await eventually(() => count("connected") === 1);
    dropSocket(c);
    await eventually(() => emu.connections("watched").find((x) => x.connectionId === id)?.state === "detached");
    const r = await recover(c, "watched");
    await rest(emu, "POST", `/api/hubs/watched/connections/${id}/:send`, { body: "after" });
    assert.equal((await r.nextJson()).data, "after");
    assert.equal(count("connect"), 1);
    assert.equal(count("connected"), 1);
    assert.equal(count("disconnected"), 0);
    await rest(emu, "DELETE", `/api/hubs/watched/connections/${id}`);
    await eventually(() => count("disconnected") === 1);
  });

  describe("when the recovery window ends", () => {
    let short: Emulator;
    let watcher: HandlerServer;
    before(async () => {
      watcher = await startHandler();
      const hubs = { w: { eventHandlers: [{ urlTemplate: watcher.url, systemEvents: ["disconnected"] }] } };
      // The window is 30 s in real use; the internal tuning seam shortens it for this test only.
      short = await launchEmulator({ port: 0, hubs }, (o) => new UpstreamDispatcher(o), { recoveryWindowMs: 150 });
    });
    after(async () => {
      await short.close();
      await watcher.close();
    });

    it("drops the session, fires disconnected once, cleans up, and refuses recovery with 1008", async () => {
      const c = await connectJson(short, "w", { userId: "late", groups: ["g"] }, RELIABLE_PROTOCOL);
      clients.push(c);
      dropSocket(c);
      const disconnected = await watcher.event("disconnected");
      assert.equal(disconnected.headers[CE.connectionId], c.connectionId);
      assert.equal(short.connections("w").length, 0);
      assert.equal((await rest(short, "HEAD", "/api/hubs/w/groups/g")).status, 404);
      const q = new URLSearchParams({ awps_connection_id: c.connectionId, awps_reconnection_token: c.reconnectionToken! });
      const r = new TestClient(`ws://127.0.0.1:${short.port}/client/hubs/w?${q}`, RELIABLE_PROTOCOL);
      clients.push(r);
      assert.equal((await r.closed).code, 1008);
      assert.equal(watcher.requests.filter((x) => x.headers[CE.eventName] === "disconnected").length, 1);
    });
  });
});
