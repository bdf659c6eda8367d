import assert from "node:assert/strict";
import type { Emulator } from "../../src/emulator/index.js";
import { CE, connectJson, eventually, rest, start, startHandler, TestClient, type HandlerServer, clientsClosedAfterEach, wireText } from "./helpers.js";
import { buildEventType } from "../../src/core/index.js";

const ALL_ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

describe("emulator JSON subprotocol", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  const clients = clientsClosedAfterEach();
  let seq = 0;
  let hub = "";

  before(async () => {
    handler = await startHandler((r) => {
      const event = r.headers[CE.eventName];
      if (event === "echo") return { status: 200, headers: { "content-type": String(r.headers["content-type"]) }, body: r.body };
      if (event === "deny") return { status: 400 };
      if (event === "quiet") return { status: 204 };
      return undefined;
    });
    const settings = { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "echo,deny,quiet" }] };
    emu = await start({ hubs: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`j${i + 1}`, settings])) });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });
  beforeEach(() => {
    hub = `j${++seq}`;
  });

  async function json(o: Parameters<typeof connectJson>[2] = {}): Promise<TestClient> {
    const c = await connectJson(emu, hub, o);
    clients.push(c);
    return c;
  }

  describe("groups", () => {
    it("joinGroup with permission acks success and the client gets group messages", async () => {
      const c = await json({ roles: ALL_ROLES });
      assert.deepEqual(await c.request({ type: "joinGroup", group: "g", ackId: 1 }), { type: "ack", ackId: 1, success: true });
      await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send`, { body: "hello g" });
      assert.equal((await c.nextJson()).data, "hello g");
    });

    it("joinGroup without permission acks Forbidden and does not join", async () => {
      const c = await json();
      const ack = await c.request({ type: "joinGroup", group: "g", ackId: 1 });
      assert.equal(ack.success, false);
      assert.equal(ack.error.name, "Forbidden");
      assert.deepEqual(emu.connections(hub)[0]!.groups, []);
    });

    it("leaveGroup stops group messages", async () => {
      const c = await json({ roles: ALL_ROLES, groups: ["g"] });
      assert.equal((await c.request({ type: "leaveGroup", group: "g", ackId: 1 })).success, true);
      assert.deepEqual(emu.connections(hub)[0]!.groups, []);
    });

    it("works without an ackId (no ack is sent)", async () => {
      const c = await json({ roles: ALL_ROLES });
      c.send({ type: "joinGroup", group: "g" });
      await eventually(() => emu.connections(hub)[0]!.groups.includes("g"));
      await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send`, { body: "first frame" });
      assert.equal((await c.nextJson()).data, "first frame");
    });

    it("acks BadRequest for an invalid group name", async () => {
      const c = await json({ roles: ALL_ROLES });
      const ack = await c.request({ type: "joinGroup", group: " ", ackId: 1 });
      assert.equal(ack.error.name, "BadRequest");
    });
  });

  describe("sendToGroup", () => {
    it("delivers json, text and binary data with fromUserId to every member", async () => {
      const sender = await json({ userId: "s", roles: ALL_ROLES, groups: ["g"] });
      const other = await json({ userId: "o", groups: ["g"] });
      // No dataType: the wire default is json.
      await sender.requestRaw({ type: "sendToGroup", group: "g", ackId: 1, data: { a: 1 } });
      await sender.request({ type: "sendToGroup", group: "g", ackId: 2, dataType: "text", data: "t" });
      await sender.request({ type: "sendToGroup", group: "g", ackId: 3, dataType: "binary", data: "AQID" });
      const got = [await other.nextJson(), await other.nextJson(), await other.nextJson()];
      assert.deepEqual(got, [
        { type: "message", from: "group", group: "g", fromUserId: "s", dataType: "json", data: { a: 1 } },
        { type: "message", from: "group", group: "g", fromUserId: "s", dataType: "text", data: "t" },
        { type: "message", from: "group", group: "g", fromUserId: "s", dataType: "binary", data: "AQID" },
      ]);
    });

    it("echoes to the sender unless noEcho is true", async () => {
      const s = await json({ roles: ALL_ROLES, groups: ["g"] });
      s.send({ type: "sendToGroup", group: "g", dataType: "text", data: "echo" });
      assert.equal((await s.nextJson()).data, "echo");
      const ack = await s.request({ type: "sendToGroup", group: "g", ackId: 9, noEcho: true, dataType: "text", data: "quiet" });
      assert.equal(ack.success, true);
      await rest(emu, "POST", `/api/hubs/${hub}/connections/${s.connectionId}/:send`, { body: "marker" });
      assert.equal((await s.nextJson()).data, "marker");
    });

    it("acks Forbidden without the sendToGroup permission and delivers nothing", async () => {
      const s = await json({ roles: ["webpubsub.joinLeaveGroup"], groups: ["g"] });
      const ack = await s.request({ type: "sendToGroup", group: "g", ackId: 1, dataType: "json", data: "x" });
      assert.equal(ack.error.name, "Forbidden");
      await rest(emu, "POST", `/api/hubs/${hub}/connections/${s.connectionId}/:send`, { body: "marker" });
      assert.equal((await s.nextJson()).data, "marker");
    });

    it("acks BadRequest for text data that is not a string, bad base64 or an unknown dataType", async () => {
      const s = await json({ roles: ALL_ROLES });
      for (const [ackId, msg] of [
        [1, { dataType: "text", data: 5 }],
        [2, { dataType: "binary", data: "***" }],
        [3, { dataType: "xml", data: "<a/>" }],
        [4, { dataType: "json" }],
        [5, { ttlSeconds: 301, data: 1 }],
      ] as const) {
        const ack = await s.requestRaw({ type: "sendToGroup", group: "g", ackId, ...msg });
        assert.equal(ack.error?.name, "BadRequest", JSON.stringify(msg));
      }
    });

    it("acks BadRequest for json data nested too deeply to re-encode, for sendToGroup and event", async () => {
      const s = await json({ roles: ALL_ROLES, groups: ["g"] });
      const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
      s.send(`{"type":"sendToGroup","group":"g","ackId":1,"data":${deep}}`);
      const ack = await s.until((m) => m.type === "ack" && m.ackId === 1);
      assert.equal(ack.error?.name, "BadRequest");
      s.send(`{"type":"event","event":"e","ackId":2,"data":${deep}}`);
      assert.equal((await s.until((m) => m.type === "ack" && m.ackId === 2)).error?.name, "BadRequest");
    });
  });

  describe("acks", () => {
    it("answers a repeated ackId with Duplicate and does not run it again", async () => {
      const s = await json({ roles: ALL_ROLES, groups: ["g"] });
      s.send({ type: "sendToGroup", group: "g", ackId: 7, dataType: "text", data: "once" });
      assert.equal((await s.nextJson()).data, "once"); // the echo comes before the ack
      assert.equal((await s.nextJson()).success, true);
      const again = await s.request({ type: "sendToGroup", group: "g", ackId: 7, dataType: "text", data: "once" });
      assert.deepEqual(again.error, { name: "Duplicate", message: "Message with ack-id: 7 has been processed" });
      await rest(emu, "POST", `/api/hubs/${hub}/connections/${s.connectionId}/:send`, { body: "marker" });
      assert.equal((await s.nextJson()).data, "marker");
    });

    it("remembers the last 10,000 ackIds: past that the oldest is forgotten, the newer still answer Duplicate", async () => {
      const s = await json({ roles: ALL_ROLES });
      // The acks come back in order, so waiting for the last is enough.
      for (let ackId = 1; ackId <= 10_001; ackId++) s.send({ type: "joinGroup", group: "g", ackId });
      await s.until((m) => m.type === "ack" && m.ackId === 10_001, 20_000);
      assert.equal((await s.request({ type: "joinGroup", group: "g", ackId: 2 })).error?.name, "Duplicate");
      assert.equal((await s.request({ type: "joinGroup", group: "g", ackId: 10_001 })).error?.name, "Duplicate");
      const forgotten = await s.request({ type: "joinGroup", group: "g", ackId: 1 });
      assert.equal(forgotten.success, true, "ackId 1 was pushed out by 10,000 newer ones and runs again");
      // Running it again made it the newest: now 2 is the oldest and goes next.
      assert.equal((await s.request({ type: "joinGroup", group: "g", ackId: 1 })).error?.name, "Duplicate");
      assert.equal((await s.request({ type: "joinGroup", group: "g", ackId: 2 })).success, true);
    });

    it("lets a failed request be retried with the same ackId", async () => {
      const s = await json();
      assert.equal((await s.request({ type: "joinGroup", group: "g", ackId: 3 })).error.name, "Forbidden");
      await rest(emu, "PUT", `/api/hubs/${hub}/permissions/joinLeaveGroup/connections/${s.connectionId}`);
      assert.equal((await s.request({ type: "joinGroup", group: "g", ackId: 3 })).success, true);
    });
  });

  describe("events", () => {
    it("sends the handler's reply as a server message before the success ack", async () => {
      const c = await json({ userId: "e" });
      c.send({ type: "event", event: "echo", ackId: 1, dataType: "json", data: { hi: 1 } });
      assert.deepEqual(await c.nextJson(), { type: "message", from: "server", dataType: "json", data: { hi: 1 } });
      assert.deepEqual(await c.nextJson(), { type: "ack", ackId: 1, success: true });
      const req = handler.requests.find((r) => r.headers[CE.eventName] === "echo" && r.headers[CE.connectionId] === c.connectionId)!;
      assert.equal(req.headers[CE.type], buildEventType("user", "echo"));
      assert.equal(req.headers[CE.userId], "e");
    });

    it("passes text and binary events with their content types", async () => {
      const c = await json();
      c.send({ type: "event", event: "echo", ackId: 1, dataType: "text", data: "plain" });
      assert.deepEqual(await c.nextJson(), { type: "message", from: "server", dataType: "text", data: "plain" });
      await c.nextJson();
      c.send({ type: "event", event: "echo", ackId: 2, dataType: "binary", data: "AAEC" });
      assert.deepEqual(await c.nextJson(), { type: "message", from: "server", dataType: "binary", data: "AAEC" });
    });

    it("acks success with no message when the handler answers 204", async () => {
      const c = await json();
      assert.deepEqual(await c.request({ type: "event", event: "quiet", ackId: 1, dataType: "json", data: 1 }), { type: "ack", ackId: 1, success: true });
      assert.equal(c.pending, 0);
    });

    it("acks InternalServerError when the handler fails or none matches", async () => {
      const c = await json();
      assert.equal((await c.request({ type: "event", event: "deny", ackId: 1, dataType: "json", data: 1 })).error.name, "InternalServerError");
      assert.equal((await c.request({ type: "event", event: "unhandled", ackId: 2, dataType: "json", data: 1 })).error.name, "InternalServerError");
    });

    it("acks BadRequest for an invalid event name", async () => {
      const c = await json();
      assert.equal((await c.request({ type: "event", event: "9lives", ackId: 1, dataType: "json", data: 1 })).error.name, "BadRequest");
    });

    it("keeps the order of requests behind a pending event", async () => {
      const c = await json({ roles: ALL_ROLES });
      c.send({ type: "event", event: "echo", ackId: 1, dataType: "text", data: "slow" });
      c.send({ type: "joinGroup", group: "g", ackId: 2 });
      const order = [await c.nextJson(), await c.nextJson(), await c.nextJson()].map((m) => `${m.type}:${m.ackId ?? ""}`);
      assert.deepEqual(order, ["message:", "ack:1", "ack:2"]);
    });
  });

  describe("control and bad input", () => {
    it("answers ping with pong", async () => {
      const c = await json();
      c.send({ type: "ping" });
      assert.deepEqual(await c.nextJson(), { type: "pong" });
    });

    it("ignores sequenceAck on the non-reliable protocol", async () => {
      const c = await json();
      c.send({ type: "sequenceAck", sequenceId: 3 });
      c.send({ type: "ping" });
      assert.deepEqual(await c.nextJson(), { type: "pong" });
    });

    it("closes with 1007 on malformed JSON, after a system/disconnected message", async () => {
      const c = await json();
      c.send("{not json");
      assert.equal((await c.nextJson()).event, "disconnected");
      assert.equal((await c.closed).code, 1007);
    });

    it("closes with 1007 on an unknown type without ackId, and acks BadRequest with one", async () => {
      const withAck = await json();
      assert.equal((await withAck.requestRaw({ type: "teleport", ackId: 4 })).error.name, "BadRequest");
      const without = await json();
      without.send(wireText({ type: "teleport" }));
      assert.equal((await without.closed).code, 1007);
    });

    it("closes with 1007 when a message is not an object or ackId is not an integer", async () => {
      const a = await json();
      a.send("[1,2]");
      assert.equal((await a.closed).code, 1007);
      const b = await json();
      b.send(wireText({ type: "joinGroup", group: "g", ackId: "one" }));
      assert.equal((await b.closed).code, 1007);
    });

    it("closes with 1003 on a binary frame", async () => {
      const c = await json();
      c.send(Buffer.from([1, 2, 3]));
      assert.equal((await c.closed).code, 1003);
    });

    it("closes with 1009 on a frame over 1 MiB", async () => {
      const c = await json();
      c.send({ type: "event", event: "echo", dataType: "text", data: "x".repeat(1024 * 1024) });
      assert.equal((await c.closed).code, 1009);
    });

    it("serves invoke: the handler's reply comes back as the invokeResponse, with no ack and no server message", async () => {
      const c = await json();
      c.send({ type: "invoke", invocationId: "inv1", target: "event", event: "echo", dataType: "json", data: { x: 1 } });
      assert.deepEqual(await c.nextJson(), { type: "invokeResponse", invocationId: "inv1", success: true, dataType: "json", data: { x: 1 } });
      c.send({ type: "invoke", invocationId: "inv2", target: "event", event: "echo", dataType: "binary", data: "AQI=" });
      assert.deepEqual(await c.nextJson(), { type: "invokeResponse", invocationId: "inv2", success: true, dataType: "binary", data: "AQI=" });
      // No dataType and no data: the decoder fills in the defaults.
      c.send(wireText({ type: "invoke", invocationId: "inv3", target: "event", event: "quiet" }));
      assert.deepEqual(await c.nextJson(), { type: "invokeResponse", invocationId: "inv3", success: true });
    });

    it("answers a failed or unhandled invoke with an error invokeResponse", async () => {
      const c = await json();
      c.send({ type: "invoke", invocationId: "d", target: "event", event: "deny", dataType: "text", data: "x" });
      const denied = await c.nextJson();
      assert.deepEqual([denied.type, denied.invocationId, denied.success, denied.error.name], ["invokeResponse", "d", false, "InternalServerError"]);
      c.send({ type: "invoke", invocationId: "n", target: "event", event: "nobody", dataType: "text", data: "x" });
      const none = await c.nextJson();
      assert.deepEqual([none.invocationId, none.success, none.error.name], ["n", false, "InternalServerError"]);
    });

    it("rejects unsupported newer types with a BadRequest ack", async () => {
      const c = await json();
      assert.equal((await c.requestRaw({ type: "setGroupState", group: "g", ackId: 5 })).error.name, "BadRequest");
    });

    it("forgets a connection's groups and user after a protocol error closes it", async () => {
      const c = await json({ userId: "bad", groups: ["g"] });
      c.send("garbage");
      await c.closed;
      await eventually(() => emu.connections(hub).length === 0);
      assert.equal((await rest(emu, "HEAD", `/api/hubs/${hub}/groups/g`)).status, 404);
      assert.equal((await rest(emu, "HEAD", `/api/hubs/${hub}/users/bad`)).status, 404);
    });

    it("survives hostile frames: each gets an ack, a close or nothing, and the emulator keeps serving", async () => {
      const hostile = [
        '{"type":"joinGroup","group":null,"ackId":1}',
        '{"type":"joinGroup","group":{"a":1},"ackId":1}',
        '{"type":"sendToGroup","group":"g","ackId":1,"data":{"deep":[[[[[[[[[[1]]]]]]]]]]}}',
        '{"type":"event","event":"echo","ackId":1e20,"data":1}',
        '{"type":"event","event":"echo","ackId":-1,"data":1}',
        '{"type":"event","event":"echo","ackId":1.5,"data":1}',
        '{"type":"sequenceAck","sequenceId":-1}',
        '{"type":"sequenceAck"}',
        '{"type":null}',
        '{"type":"__proto__","ackId":1}',
        '{"type":"event","event":"constructor","ackId":1,"data":1}',
        '{"type":"event","event":"echo","dataType":"binary","data":"@@@","ackId":2}',
        '"just a string"',
        "null",
        "",
        "\u0000",
        "{".repeat(5000),
      ];
      for (const frame of hostile) {
        const c = await json({ roles: ALL_ROLES });
        c.send(frame);
        c.send({ type: "ping" });
        // Either the connection answers (ack/pong) or it is closed; it never hangs.
        const outcome = await Promise.race([c.until((m) => m.type === "pong").then(() => "pong"), c.closed.then((x) => `closed ${x.code}`)]);
        assert.match(outcome, /^(pong|closed 10(07|08))$/, frame.slice(0, 40));
        c.close();
      }
      const res = await fetch(`http://127.0.0.1:${emu.port}/api/health`, { method: "HEAD" });
      assert.equal(res.status, 200);
    });

    it("keeps serving other clients after all of that", async () => {
      const c = await json();
      await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "still here" });
      assert.equal((await c.nextJson()).data, "still here");
    });
  });
});
