// The dashboard's read side against a real emulator: the page, the state, a connection's
// timeline, the live event stream, and the `why` of refusals. Actions and access rules are
// in dashboardActions.test.ts.
import assert from "node:assert/strict";
import { request } from "node:http";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { FRAME_SAMPLE_BUDGET, TIMELINE_CAPACITY } from "../../src/emulator/dashboard/recorder.js";
import {
  clientToken,
  clientsClosedAfterEach,
  connectJson,
  connectRaw,
  eventually,
  HandshakeRefused,
  KEY,
  rest,
  restToken,
  restUrl,
  apiUrl,
  start,
  startHandler,
  TestClient,
  JSON_PROTOCOL,
  type HandlerServer,
} from "./helpers.js";
import { dashFetch, dashPost, EventsReader } from "./dashboardSupport.js";

describe("emulator dashboard: state, timelines, live events", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  const clients = clientsClosedAfterEach();
  const readers: EventsReader[] = [];

  before(async () => {
    // `connect` on hub "story" answers with roles, so the timeline shows the handler's answer.
    handler = await startHandler((req) =>
      req.headers["ce-eventname"] === "connect" ? { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ roles: ["webpubsub.sendToGroup.lobby"] }) } : undefined,
    );
    emu = await start({ hubs: { story: { eventHandlers: [{ urlTemplate: handler.url, systemEvents: ["connect"] }] } } });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });
  afterEach(async () => {
    for (const r of readers.splice(0)) await r.close();
  });

  async function events(): Promise<EventsReader> {
    const r = await EventsReader.open(emu);
    readers.push(r);
    return r;
  }

  async function state(): Promise<any> {
    const res = await dashFetch(emu, "/api/state");
    assert.equal(res.status, 200);
    return res.json;
  }

  it("serves the page at /_dashboard and its assets, and nothing outside the assets folder", async () => {
    assert.equal(emu.dashboardUrl, `${emu.endpoint}/_dashboard`);
    const page = await dashFetch(emu, "");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.match(page.text, /<html/i);
    assert.equal((await dashFetch(emu, "/assets/index.html")).status, 200);
    for (const escape of ["/assets/..%2fdashboard.ts", "/assets/%2e%2e/recorder.ts", "/assets/..%2f..%2f..%2f..%2fpackage.json", "/assets/%2fetc%2fpasswd", "/assets/"]) {
      const res = await dashFetch(emu, escape);
      assert.equal(res.status, 404, escape);
      assert.equal(res.json.code, "Error.NotFound");
    }
    const unknown = await dashFetch(emu, "/api/nothing");
    assert.equal(unknown.status, 404);
    assert.equal(typeof unknown.json.message, "string");
  });

  it("answers /_dashboard/client.js with the browser bundle, or a 404 JSON that says to build", async () => {
    const res = await dashFetch(emu, "/client.js");
    if (res.status === 200) {
      assert.match(res.headers.get("content-type") ?? "", /javascript/);
      assert.match(res.text, /WebPubSubClient/);
    } else {
      assert.equal(res.status, 404);
      assert.match(res.json.message, /npm run build/);
    }
  });

  it("is off with dashboard: false (404, dashboardUrl null) while REST still works", async () => {
    const off = await startEmulator({ port: 0, dashboard: false });
    try {
      assert.equal(off.dashboardUrl, null);
      for (const path of ["", "/api/state", "/api/events"]) assert.equal((await dashFetch(off, path)).status, 404);
      assert.equal((await rest(off, "POST", "/api/hubs/h/:send", { body: "x" })).status, 202);
    } finally {
      await off.close();
    }
  });

  it("lists hubs, connections with user, protocol, roles, groups and counts, and groups with their members", async () => {
    const a = await connectJson(emu, "lobbyhub", { userId: "ann", roles: ["webpubsub.joinLeaveGroup"], groups: ["g1"] });
    const b = await connectRaw(emu, "lobbyhub", { userId: "bob" });
    clients.push(a, b);
    await rest(emu, "POST", "/api/hubs/lobbyhub/:send", { body: "hi all" });
    await b.next();
    await a.until((m) => m.type === "message");
    a.send({ type: "ping" });
    await a.until((m) => m.type === "pong");

    const s = await state();
    assert.equal(s.endpoint, emu.endpoint);
    assert.match(s.version, /^\d+\.\d+\.\d+/);
    const hub = s.hubs.find((h: any) => h.name === "lobbyhub");
    assert.deepEqual(hub.upstream, { configured: false, fault: null });
    const ann = hub.connections.find((c: any) => c.connectionId === a.connectionId);
    const bob = hub.connections.find((c: any) => c.connectionId === b.connectionId);
    assert.deepEqual(
      { ...ann, connectedAt: typeof ann.connectedAt },
      {
        hub: "lobbyhub",
        connectionId: a.connectionId,
        userId: "ann",
        subprotocol: JSON_PROTOCOL,
        roles: ["webpubsub.joinLeaveGroup"],
        groups: ["g1"],
        state: "open",
        connectedAt: "number",
        messagesIn: 1,
        messagesOut: 1,
      },
    );
    assert.equal(bob.userId, "bob");
    assert.equal(bob.subprotocol, null);
    assert.equal(bob.messagesOut, 1);
    assert.deepEqual(hub.groups, [{ name: "g1", members: [a.connectionId] }]);
    // The story hub has a handler configured, even with no connection yet.
    assert.equal(s.hubs.find((h: any) => h.name === "story").upstream.configured, true);
    const rests = s.traffic.filter((e: any) => e.type === "rest");
    assert.ok(rests.some((e: any) => e.path === "/api/hubs/lobbyhub/:send" && e.status === 202));
    // Sequence numbers increase along the log.
    const seqs = s.traffic.map((e: any) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((x: number, y: number) => x - y));
  });

  it("tells a connection's story: token claims (no token), the connect answer, frames with the why of a refusal, and its close code and reason", async () => {
    const c = await connectJson(emu, "story", { userId: "carol", roles: ["webpubsub.joinLeaveGroup.a"] });
    clients.push(c);
    const nack = await c.request({ type: "sendToGroup", group: "g2", data: "x", dataType: "text", ackId: 5 });
    assert.equal(nack.success, false);
    const closing = await dashPost(emu, "/api/actions/close", { hub: "story", connectionId: c.connectionId, code: 4321, reason: "test over" });
    assert.equal(closing.status, 200);
    assert.deepEqual(await c.closed, { code: 4321, reason: "test over" });

    const res = await dashFetch(emu, `/api/connections/story/${encodeURIComponent(c.connectionId)}`);
    assert.equal(res.status, 200);
    const { connection, claims, timeline, truncated } = res.json;
    assert.equal(connection.state, "closed");
    assert.equal(connection.closeCode, 4321);
    assert.equal(connection.closeReason, "test over");
    // The connect handler replaced the token's roles.
    assert.deepEqual(connection.roles, ["webpubsub.sendToGroup.lobby"]);
    assert.equal(claims.sub, "carol");
    assert.deepEqual(claims.role, ["webpubsub.joinLeaveGroup.a"]);
    assert.equal(claims.aud, `http://127.0.0.1:${emu.port}/client/hubs/story`);
    assert.equal(typeof claims.exp, "number");
    assert.equal(truncated, 0);
    const types = timeline.map((e: any) => (e.type === "frameOut" || e.type === "frameIn" ? `${e.type}:${e.frameType}` : e.type));
    assert.deepEqual(types, ["upstream", "connected", "frameOut:system", "frameIn:sendToGroup", "frameOut:ack", "frameOut:system", "disconnected"]);
    assert.deepEqual(timeline[0].answer, { roles: ["webpubsub.sendToGroup.lobby"] });
    assert.equal(timeline[0].result, "ok");
    const ack = timeline.find((e: any) => e.frameType === "ack");
    assert.equal(ack.error.name, "Forbidden");
    assert.match(ack.why, /^role webpubsub\.sendToGroup\.g2 missing/);
    assert.equal(timeline.at(-1).closeCode, 4321);
    assert.equal((await dashFetch(emu, "/api/connections/story/nope")).status, 404);
  });

  it("keeps each timeline bounded, counting what it dropped", async () => {
    const c = await connectRaw(emu, "busy");
    clients.push(c);
    const total = TIMELINE_CAPACITY + 30;
    for (let i = 0; i < total; i++) {
      const sent = await dashPost(emu, "/api/actions/send", { hub: "busy", target: { kind: "connection", id: c.connectionId }, contentType: "text/plain", data: `m${i}` });
      assert.equal(sent.status, 200);
    }
    for (let i = 0; i < total; i++) assert.equal(await c.next(), `m${i}`);
    const { timeline, truncated, connection } = (await dashFetch(emu, `/api/connections/busy/${c.connectionId}`)).json;
    assert.equal(timeline.length, TIMELINE_CAPACITY);
    // The connect outcome (no handler), `connected` and every message went in; the oldest were forgotten.
    assert.equal(truncated, total + 2 - TIMELINE_CAPACITY);
    const last = timeline.at(-1);
    assert.deepEqual(Object.keys(last).sort(), ["connectionId", "frameType", "hub", "seq", "time", "type"]);
    assert.deepEqual([last.type, last.hub, last.connectionId, last.frameType], ["frameOut", "busy", c.connectionId, "message"]);
    assert.ok(last.seq > timeline.at(-2).seq && last.time >= timeline.at(-2).time);
    assert.equal(connection.messagesOut, total);
  });

  it("says why a handshake was refused: audience, expiry, signature", async () => {
    const tries = [
      { o: { aud: "http://elsewhere.example/client/hubs/why" }, why: /^token audience is http:\/\/elsewhere\.example\/client\/hubs\/why, expected http:\/\/127\.0\.0\.1:\d+\/client\/hubs\/why/ },
      { o: { expiresIn: -3600 }, why: /^token expired at \d{4}-\d\d-\d\dT/ },
      { o: { key: "Z".repeat(44) }, why: /^signature does not match/ },
    ];
    for (const t of tries) {
      const c = new TestClient(`ws://127.0.0.1:${emu.port}/client/hubs/why?access_token=${clientToken(emu, "why", t.o)}`, JSON_PROTOCOL);
      clients.push(c);
      await assert.rejects(c.opened(), (err: unknown) => err instanceof HandshakeRefused && err.status === 401);
    }
    const refused = (await state()).traffic.filter((e: any) => e.type === "handshakeRefused" && e.hub === "why");
    assert.equal(refused.length, 3);
    tries.forEach((t, i) => assert.match(refused[i].why, t.why));
  });

  it("says why a REST call got 401", async () => {
    const url = apiUrl(emu, "/api/hubs/why/:send");
    assert.equal((await restUrl("POST", url, { body: "x", token: restToken("http://127.0.0.1:1/api/hubs/other/:send") })).status, 401);
    assert.equal((await restUrl("POST", url, { body: "x", token: null })).status, 401);
    const refused = (await state()).traffic.filter((e: any) => e.type === "rest" && e.path === "/api/hubs/why/:send");
    assert.match(refused[0].why, /^token audience is http:\/\/127\.0\.0\.1:1\/api\/hubs\/other\/:send, expected /);
    assert.equal(refused[1].why, "no Authorization: Bearer header");
  });

  it("streams a snapshot, then live batches of events and the counters of changed connections", async () => {
    const r = await events();
    const snapshot = await r.next((e) => e.event === "snapshot");
    assert.equal(snapshot.data.endpoint, emu.endpoint);
    assert.ok(Array.isArray(snapshot.data.hubs));
    assert.equal(r.events[0], snapshot, "the snapshot comes first");

    const c = await connectRaw(emu, "live", { userId: "dan" });
    clients.push(c);
    const batch = await r.next((e) => e.event === "events" && e.data.some((x: any) => x.type === "connected" && x.connectionId === c.connectionId));
    const connected = batch.data.find((x: any) => x.type === "connected");
    assert.equal(connected.userId, "dan");
    assert.equal(typeof connected.seq, "number");
    assert.ok(connected.seq > Math.max(0, ...snapshot.data.traffic.map((x: any) => x.seq)));

    await rest(emu, "POST", "/api/hubs/live/users/dan/:send", { body: "one" });
    await rest(emu, "POST", "/api/hubs/live/users/dan/:send", { body: "two" });
    const counters = await r.next((e) => e.event === "counters" && e.data.some((x: any) => x.connectionId === c.connectionId && x.messagesOut === 2));
    assert.deepEqual(counters.data.find((x: any) => x.connectionId === c.connectionId), { hub: "live", connectionId: c.connectionId, messagesIn: 0, messagesOut: 2 });
  });

  it("samples frame events of a burst into the stream and says how many it dropped", async () => {
    const n = FRAME_SAMPLE_BUDGET + 40;
    for (let i = 0; i < n; i++) clients.push(await connectRaw(emu, "burst"));
    const r = await events();
    await r.next((e) => e.event === "snapshot");
    const sent = await dashPost(emu, "/api/actions/send", { hub: "burst", target: { kind: "all" }, contentType: "text/plain", data: "fan" });
    assert.equal(sent.json.recipients, n);
    await Promise.all(clients.slice(-n).map((c) => c.next()));
    await r.next((e) => e.event === "events" && e.data.some((x: any) => x.type === "dropped"));
    const frames = r.entries().filter((x) => x.type === "frameOut" && x.hub === "burst");
    const dropped = r.entries().filter((x) => x.type === "dropped").reduce((sum, x) => sum + x.count, 0);
    // Each frame event was either streamed or counted as dropped; a burst may straddle two
    // sampling windows, so at most two budgets' worth went out.
    assert.equal(frames.length + dropped, n, `${dropped} dropped, ${frames.length} streamed of ${n}`);
    assert.ok(dropped > 0 && frames.length <= 2 * FRAME_SAMPLE_BUDGET, `${dropped} dropped, ${frames.length} streamed`);
    // Counters stay exact whatever was sampled.
    const s = await state();
    const hub = s.hubs.find((h: any) => h.name === "burst");
    assert.ok(hub.connections.filter((c: any) => c.state === "open").every((c: any) => c.messagesOut === 1));
  });

  it("never puts the access key or a token in the state, a timeline, the stream or the log", async () => {
    const lines: string[] = [];
    const own = await start({ onLog: (l) => lines.push(l) });
    const token = clientToken(own, "secret", { userId: "eve", roles: ["webpubsub.joinLeaveGroup"] });
    const r = await EventsReader.open(own);
    try {
      const c = new TestClient(`ws://127.0.0.1:${own.port}/client/hubs/secret?access_token=${token}`, JSON_PROTOCOL);
      clients.push(c);
      await c.opened();
      const hello = await c.nextJson();
      // A refused handshake with a token signed by another key, and a REST call.
      const bad = clientToken(own, "secret", { key: "Q".repeat(44) });
      const refused = new TestClient(`ws://127.0.0.1:${own.port}/client/hubs/secret?access_token=${bad}`, JSON_PROTOCOL);
      clients.push(refused);
      await refused.opened().catch(() => undefined);
      const restTok = restToken(apiUrl(own, "/api/hubs/secret/:send"));
      await restUrl("POST", apiUrl(own, "/api/hubs/secret/:send"), { body: "x", token: restTok });
      await r.next((e) => e.event === "events" && e.data.some((x: any) => x.type === "rest"));
      const texts = [
        (await dashFetch(own, "/api/state")).text,
        (await dashFetch(own, `/api/connections/secret/${hello.connectionId}`)).text,
        r.raw,
        lines.join("\n"),
      ];
      for (const text of texts) {
        for (const secret of [KEY, token, bad, restTok, token.split(".")[2]!, bad.split(".")[2]!]) assert.ok(!text.includes(secret), "a secret leaked");
        assert.ok(!text.includes("access_token"));
      }
      assert.ok(texts[1]!.includes('"sub":"eve"'), "the claims are there, the token is not");
    } finally {
      await r.close();
      await own.close();
    }
  });

  it("refuses a loopback dashboard reached under another Host name (DNS rebinding)", async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: emu.port, path: "/_dashboard/api/state", headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    assert.equal(await status(`evil.example:${emu.port}`), 403);
    assert.equal(await status(`localhost:${emu.port}`), 200);
    assert.equal(await status(`[::1]:${emu.port}`), 200);
    assert.equal(await status(`127.0.0.1:${emu.port}`), 200);
  });
});
