// Driving the emulator from the dashboard: sends, groups, close, drop, upstream faults, the
// test-client token, and the rules every action obeys (JSON only, same origin, the key
// when the dashboard is not open).
import assert from "node:assert/strict";
import { WebPubSubClient } from "../../src/client/index.js";
import { launchEmulator } from "../../src/emulator/emulator.js";
import type { Emulator } from "../../src/emulator/index.js";
import { UpstreamDispatcher } from "../../src/emulator/upstream/index.js";
import { isLoopbackName } from "../../src/emulator/dashboard/access.js";
import { clientsClosedAfterEach, clientUrl, connectJson, connectRaw, eventually, KEY, start, startHandler, TestClient, JSON_PROTOCOL, type HandlerServer } from "./helpers.js";
import { dashFetch, dashPost, EventsReader } from "./dashboardSupport.js";

describe("emulator dashboard: actions", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  let echoes = 0;
  const clients = clientsClosedAfterEach();

  before(async () => {
    handler = await startHandler((req) => {
      if (req.headers["ce-eventname"] !== "echo") return undefined;
      echoes++;
      return { status: 200, headers: { "content-type": "text/plain" }, body: `echo ${echoes}` };
    });
    emu = await start({ hubs: { up: { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "echo" }] } } });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });

  const post = (path: string, body: unknown, headers?: Record<string, string>) => dashPost(emu, path, body, headers);

  it("sends to all, a group, a user and a connection, as text, JSON and binary", async () => {
    const a = await connectJson(emu, "drive", { userId: "ann", groups: ["g"] });
    const b = await connectRaw(emu, "drive", { userId: "bob" });
    clients.push(a, b);
    const send = (target: unknown, contentType: string, data: string) => post("/api/actions/send", { hub: "drive", target, contentType, data });

    assert.deepEqual((await send({ kind: "all" }, "text/plain", "to all")).json, { ok: true, recipients: 2 });
    assert.deepEqual(await a.nextJson(), { type: "message", from: "server", dataType: "text", data: "to all" });
    assert.equal(await b.next(), "to all");

    assert.equal((await send({ kind: "group", name: "g" }, "application/json", '{"n":1}')).json.recipients, 1);
    assert.deepEqual(await a.nextJson(), { type: "message", from: "group", group: "g", fromUserId: null, dataType: "json", data: { n: 1 } });

    assert.equal((await send({ kind: "user", id: "bob" }, "application/octet-stream", Buffer.from([1, 2, 255]).toString("base64"))).json.recipients, 1);
    assert.deepEqual(await b.next(), Buffer.from([1, 2, 255]));

    assert.equal((await send({ kind: "connection", id: a.connectionId }, "text/plain", "just you")).json.recipients, 1);
    assert.equal((await a.nextJson()).data, "just you");
    // Nothing else arrived at bob: the next frame he gets is the sentinel.
    await send({ kind: "connection", id: b.connectionId }, "text/plain", "sentinel");
    assert.equal(await b.next(), "sentinel");
  });

  it("refuses bad sends with 400 and unknown targets with 404", async () => {
    const a = await connectRaw(emu, "drive");
    clients.push(a);
    const base = { hub: "drive", target: { kind: "all" }, contentType: "text/plain", data: "x" };
    const cases: [unknown, number, string?][] = [
      [{ ...base, contentType: "image/png" }, 400, "contentType"],
      [{ ...base, contentType: "application/json", data: "{nope" }, 400, "data"],
      [{ ...base, contentType: "application/octet-stream", data: "**" }, 400, "data"],
      [{ ...base, data: 5 }, 400, "data"],
      [{ ...base, data: "x".repeat(1024 * 1024 + 1) }, 400, "data"],
      [{ ...base, target: { kind: "planet" } }, 400, "target.kind"],
      [{ ...base, target: { kind: "group", name: "" } }, 400, "target.name"],
      [{ ...base, hub: "no hub" }, 400, "hub"],
      [{ ...base, hub: "neverused" }, 404, "hub"],
      [{ ...base, target: { kind: "connection", id: "missing" } }, 404, "connectionId"],
    ];
    for (const [body, status, target] of cases) {
      const res = await post("/api/actions/send", body);
      assert.equal(res.status, status, JSON.stringify(body).slice(0, 200));
      assert.equal(typeof res.json.code, "string");
      assert.equal(typeof res.json.message, "string");
      if (target) assert.equal(res.json.target, target);
    }
  });

  it("adds a connection to a group and removes it", async () => {
    const a = await connectRaw(emu, "drive");
    clients.push(a);
    const add = await post("/api/actions/group", { hub: "drive", connectionId: a.connectionId, group: "team", op: "add" });
    assert.deepEqual(add.json, { ok: true, groups: ["team"] });
    assert.deepEqual(emu.connections("drive").find((c) => c.connectionId === a.connectionId)?.groups, ["team"]);
    await post("/api/actions/send", { hub: "drive", target: { kind: "group", name: "team" }, contentType: "text/plain", data: "team msg" });
    assert.equal(await a.next(), "team msg");
    const remove = await post("/api/actions/group", { hub: "drive", connectionId: a.connectionId, group: "team", op: "remove" });
    assert.deepEqual(remove.json, { ok: true, groups: [] });
    assert.equal((await post("/api/actions/group", { hub: "drive", connectionId: a.connectionId, group: "team", op: "toggle" })).status, 400);
    assert.equal((await post("/api/actions/group", { hub: "drive", connectionId: "ghost", group: "team", op: "add" })).status, 404);
  });

  it("closes a connection with the chosen code and reason, and refuses codes a close frame cannot carry", async () => {
    const a = await connectJson(emu, "drive");
    clients.push(a);
    for (const code of [1005, 1006, 2000, 5000, 1.5, "4000"]) {
      assert.equal((await post("/api/actions/close", { hub: "drive", connectionId: a.connectionId, code })).status, 400, String(code));
    }
    assert.equal((await post("/api/actions/close", { hub: "drive", connectionId: a.connectionId, code: 4100, reason: "from the page" })).status, 200);
    const farewell = await a.nextJson();
    assert.deepEqual(farewell, { type: "system", event: "disconnected", message: "from the page" });
    assert.deepEqual(await a.closed, { code: 4100, reason: "from the page" });
    assert.equal((await post("/api/actions/close", { hub: "drive", connectionId: a.connectionId })).status, 404);
  });

  it("drops a connection's TCP socket without a close frame, and a reliable client recovers the same connection", async function () {
    this.timeout(30_000);
    const client = new WebPubSubClient(clientUrl(emu, "drive", { userId: "rel" }));
    const got: unknown[] = [];
    let recovered = 0;
    let disconnected = 0;
    client.on("server-message", (e) => got.push(e.message.data));
    client.on("recovered" as never, () => recovered++);
    client.on("disconnected", () => disconnected++);
    try {
      await client.start();
      const [conn] = emu.connections("drive").filter((c) => c.userId === "rel");
      assert.ok(conn);
      assert.equal((await post("/api/actions/drop", { hub: "drive", connectionId: conn.connectionId })).status, 200);
      await eventually(() => recovered === 1, 10_000);
      assert.equal(disconnected, 0, "a recovery is not a disconnection");
      assert.deepEqual(emu.connections("drive").filter((c) => c.userId === "rel").map((c) => c.connectionId), [conn.connectionId]);
      await post("/api/actions/send", { hub: "drive", target: { kind: "user", id: "rel" }, contentType: "text/plain", data: "after the drop" });
      await eventually(() => got.includes("after the drop"));
      // A recovery attempt with a wrong reconnection token is refused, and shows in the story too.
      const q = new URLSearchParams({ awps_connection_id: conn.connectionId, awps_reconnection_token: "wrong" });
      const intruder = new TestClient(`ws://127.0.0.1:${emu.port}/client/hubs/drive?${q}`, "json.reliable.webpubsub.azure.v1");
      clients.push(intruder);
      assert.equal((await intruder.closed).code, 1008);
      const story = (await dashFetch(emu, `/api/connections/drive/${conn.connectionId}`)).json;
      const attempts = story.timeline.filter((e: any) => ["detached", "recovered", "handshakeRefused"].includes(e.type));
      assert.deepEqual(attempts.map((e: any) => e.type), ["detached", "recovered", "handshakeRefused"]);
      assert.equal(attempts[2].why, "awps_reconnection_token does not match");
    } finally {
      await client.stop();
    }
  });

  it("makes the next N upstream calls of a hub fail, then lets them through again", async () => {
    const c = await connectJson(emu, "up");
    clients.push(c);
    const fault = await post("/api/actions/upstream-fault", { hub: "up", mode: "fail", count: 2, status: 503 });
    assert.deepEqual(fault.json, { ok: true, fault: { mode: "fail", remaining: 2, status: 503 } });
    const state = (await dashFetch(emu, "/api/state")).json;
    assert.deepEqual(state.hubs.find((h: any) => h.name === "up").upstream, { configured: true, fault: { mode: "fail", remaining: 2, status: 503 } });
    const before = echoes;
    for (let ackId = 1; ackId <= 2; ackId++) {
      const ack = await c.request({ type: "event", event: "echo", dataType: "text", data: "x", ackId });
      assert.equal(ack.success, false, `call ${ackId} fails`);
    }
    assert.equal(echoes, before, "the failed calls never reached the handler");
    const ok = await c.request({ type: "event", event: "echo", dataType: "text", data: "x", ackId: 3 });
    assert.equal(ok.success, true);
    assert.equal(echoes, before + 1);
    assert.equal((await dashFetch(emu, "/api/state")).json.hubs.find((h: any) => h.name === "up").upstream.fault, null);
  });

  it("makes the next upstream call slow, and clears a fault with mode none", async () => {
    const c = await connectJson(emu, "up");
    clients.push(c);
    const r = await EventsReader.open(emu);
    try {
      await post("/api/actions/upstream-fault", { hub: "up", mode: "slow", count: 1, delayMs: 400 });
      await c.request({ type: "event", event: "echo", dataType: "text", data: "x", ackId: 1 });
      await c.request({ type: "event", event: "echo", dataType: "text", data: "x", ackId: 2 });
      const batch = () => r.entries().filter((e) => e.type === "upstream" && e.connectionId === c.connectionId);
      await eventually(() => batch().length === 2);
      const [slow, normal] = batch();
      assert.equal(slow.result, "ok");
      assert.ok(slow.durationMs >= 400, `the delayed call took ${slow.durationMs} ms`);
      assert.ok(normal.durationMs < slow.durationMs);
    } finally {
      await r.close();
    }
    await post("/api/actions/upstream-fault", { hub: "up", mode: "fail", count: 5 });
    // A hub nobody used yet is listed once a fault is armed for it.
    await post("/api/actions/upstream-fault", { hub: "Fresh", mode: "slow", count: 2, delayMs: 10 });
    const fresh = (await dashFetch(emu, "/api/state")).json.hubs.find((h: any) => h.name === "fresh");
    assert.deepEqual(fresh?.upstream, { configured: false, fault: { mode: "slow", remaining: 2, delayMs: 10 } });
    await post("/api/actions/upstream-fault", { hub: "fresh", mode: "none", count: 0 });
    assert.equal((await dashFetch(emu, "/api/state")).json.hubs.find((h: any) => h.name === "fresh"), undefined);
    assert.deepEqual((await post("/api/actions/upstream-fault", { hub: "up", mode: "none", count: 0 })).json, { ok: true, fault: null });
    assert.equal((await c.request({ type: "event", event: "echo", dataType: "text", data: "x", ackId: 3 })).success, true);
    for (const bad of [{ mode: "slow", count: 0 }, { mode: "fail", count: 1, status: 200 }, { mode: "boom", count: 1 }, { mode: "slow", count: 1, delayMs: -1 }]) {
      assert.equal((await post("/api/actions/upstream-fault", { hub: "up", ...bad })).status, 400, JSON.stringify(bad));
    }
  });

  it("mints a test-client URL the emulator accepts, with the user, roles and groups asked for", async () => {
    const res = await post("/api/token", { hub: "panel", userId: "page", roles: ["webpubsub.sendToGroup"], groups: ["room"] });
    assert.equal(res.status, 200);
    assert.match(res.json.url, new RegExp(`^ws://127\\.0\\.0\\.1:${emu.port}/client/hubs/panel\\?access_token=`));
    const c = new TestClient(res.json.url, JSON_PROTOCOL);
    clients.push(c);
    await c.opened();
    const hello = await c.nextJson();
    const info = emu.connections("panel").find((x) => x.connectionId === hello.connectionId);
    assert.equal(info?.userId, "page");
    assert.deepEqual(info?.groups, ["room"]);
    assert.equal((await c.request({ type: "sendToGroup", group: "room", dataType: "text", data: "hi", ackId: 1 })).success, true);
    assert.equal((await post("/api/token", { hub: "panel", roles: "admin" })).status, 400);
    assert.equal((await post("/api/token", { hub: "" })).status, 400);
  });

  it("takes only JSON (415), only well-formed JSON objects (400), and no cross-origin page (403)", async () => {
    clients.push(await connectRaw(emu, "drive"));
    const body = { hub: "drive", target: { kind: "all" }, contentType: "text/plain", data: "x" };
    const wrongType = await dashFetch(emu, "/api/actions/send", { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(body) });
    assert.equal(wrongType.status, 415);
    assert.equal(wrongType.json.code, "Error.UnsupportedMediaType");
    // A form post, which a cross-site page could send without a preflight.
    assert.equal((await dashFetch(emu, "/api/actions/send", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" })).status, 415);
    assert.equal((await post("/api/actions/send", "{not json")).status, 400);
    assert.equal((await post("/api/actions/send", "[1,2]")).status, 400);
    const cross = await post("/api/actions/send", body, { origin: "http://evil.example" });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.code, "Error.Forbidden");
    assert.equal((await post("/api/actions/send", body, { origin: `http://127.0.0.1:${emu.port}` })).status, 200, "the page's own origin passes");
    for (const name of ["nothing", "constructor", "__proto__", "toString", "hasOwnProperty", ""]) {
      const res = await post(`/api/actions/${name}`, body);
      assert.equal(res.status, 404, name);
      assert.ok(!res.text.includes(KEY), "no key in the answer");
    }
    assert.equal((await dashFetch(emu, "/api/actions/send")).status, 404, "actions are POST only");
  });

  it("asks for the access key when not open: 401 without the session cookie, 401 for a wrong key, 200 after login", async () => {
    const guarded = await launchEmulator({ port: 0 }, (s) => new UpstreamDispatcher(s), { dashboardRequiresKey: true });
    try {
      assert.equal((await dashFetch(guarded, "")).status, 200, "the page itself loads, to show the login");
      for (const path of ["/api/state", "/api/events", "/api/connections/h/c"]) assert.equal((await dashFetch(guarded, path)).status, 401, path);
      assert.equal((await dashPost(guarded, "/api/actions/upstream-fault", { hub: "h", mode: "none", count: 0 })).status, 401);
      assert.equal((await dashPost(guarded, "/api/token", { hub: "h" })).status, 401);

      const wrong = await dashPost(guarded, "/api/login", { accessKey: "not the key at all, but long enough to look like one" });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers.get("set-cookie"), null);
      assert.equal((await dashPost(guarded, "/api/login", { accessKey: 42 })).status, 401);
      assert.equal((await dashPost(guarded, "/api/login", { accessKey: KEY }, { origin: "http://evil.example" })).status, 403);

      const login = await dashPost(guarded, "/api/login", { accessKey: KEY });
      assert.equal(login.status, 200);
      const setCookie = login.headers.get("set-cookie") ?? "";
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Strict/);
      assert.ok(!setCookie.includes(KEY), "the cookie is not the key");
      const cookie = setCookie.split(";")[0]!;
      const state = await dashFetch(guarded, "/api/state", { headers: { cookie } });
      assert.equal(state.status, 200);
      assert.ok(!state.text.includes(KEY));
      assert.equal((await dashPost(guarded, "/api/actions/upstream-fault", { hub: "h", mode: "none", count: 0 }, { cookie })).status, 200);
      const r = await EventsReader.open(guarded, { cookie });
      await r.next((e) => e.event === "snapshot");
      await r.close();
      // A forged cookie of the right shape does not pass.
      const forged = `${cookie.split("=")[0]}=${"A".repeat(cookie.split("=")[1]!.length)}`;
      assert.equal((await dashFetch(guarded, "/api/state", { headers: { cookie: forged } })).status, 401);
    } finally {
      await guarded.close();
    }
  });

  it("counts only loopback names as loopback", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "app.localhost"]) assert.ok(isLoopbackName(host), host);
    for (const host of ["0.0.0.0", "::", "192.168.1.2", "evil.example", "localhost.evil.example", "127.0.0.1.nip.io", ""]) assert.ok(!isLoopbackName(host), host);
  });
});
