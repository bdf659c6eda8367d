// Recovery, keepalive and reconnect against the emulator, through a TCP proxy the tests
// can cut (a reset) or black-hole (silence, only the keepalive can notice).
import assert from "node:assert/strict";
import type { Emulator } from "../../src/emulator/index.js";
import { WebPubSubClient, WebPubSubJsonProtocol, type OnRecoveredArgs } from "../../src/client/index.js";
import { WebSocket } from "ws";
import { clientUrl, eventually, once, recordingWebSocket, restCall, restSend, startEmu, startEmulatorOnPort, startProxy, startUpstream, type Proxy } from "./support.js";

const ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

describe("client recovery", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let proxy: Proxy;
  const clients: WebPubSubClient[] = [];

  beforeEach(async () => {
    emu = await startEmu();
    proxy = await startProxy(emu.port);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
    await proxy.close();
    await emu.close();
  });

  function viaProxy(options: ConstructorParameters<typeof WebPubSubClient>[1] = {}): WebPubSubClient {
    const c = new WebPubSubClient(clientUrl(emu, "chaos", { roles: ROLES, port: proxy.port }), {
      keepAliveIntervalInMs: 100,
      keepAliveTimeoutInMs: 600,
      ...options,
    });
    clients.push(c);
    return c;
  }

  function direct(): WebPubSubClient {
    const c = new WebPubSubClient(clientUrl(emu, "chaos", { roles: ROLES }));
    clients.push(c);
    return c;
  }

  it("delivers 10,000 group messages exactly once and in order while the socket is killed at random and black-holed once", async () => {
    const TOTAL = 10_000;
    const receiver = viaProxy();
    const received: number[] = [];
    const recoveries: OnRecoveredArgs[] = [];
    let disconnects = 0;
    let connects = 0;
    receiver.on("group-message", (e) => received.push((e.message.data as { i: number }).i));
    receiver.on("recovered", (e) => recoveries.push(e));
    receiver.on("disconnected", () => disconnects++);
    receiver.on("connected", () => connects++);
    await receiver.start();
    await receiver.joinGroup("stream");

    const sender = direct();
    await sender.start();
    let holed = false;
    let kills = 0;
    // The sender paces itself (about 2,000 messages/s): while a socket is dead the service
    // buffers for it, and past 1,000 unacked messages it ends the session by design (§2.8).
    const sending = (async () => {
      for (let i = 0; i < TOTAL; ) {
        while (holed) await new Promise((r) => setTimeout(r, 5));
        const burst: Promise<unknown>[] = [];
        for (let k = 0; k < 20 && i < TOTAL; k++, i++) burst.push(sender.sendToGroup("stream", { i }, "json"));
        await Promise.all(burst);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const chaos = (async () => {
      let blackHoled = false;
      while (received.length < TOTAL * 0.9) {
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 350));
        if (received.length >= TOTAL * 0.9) break;
        if (!blackHoled && received.length > TOTAL / 2) {
          blackHoled = true;
          holed = true;
          const seen = recoveries.length;
          proxy.blackHole();
          proxy.restore(); // new connections pass; the silent one stays silent
          // Far below ws's 30 s closing handshake: the keepalive dropped the socket at once.
          await eventually(() => recoveries.length > seen, 10_000, "recovery after the black hole");
          holed = false;
        } else {
          // One kill per live session: a kill that lands while the client is still recovering
          // would merge two drops into one recovery, and the count below would not say which.
          const seen = recoveries.length;
          proxy.killAll();
          kills++;
          await eventually(() => recoveries.length > seen, 10_000, `recovery after kill ${kills}`);
        }
      }
    })();
    await Promise.all([sending, chaos]);
    await eventually(() => received.length >= TOTAL, 20_000, `all ${TOTAL} messages (got ${received.length})`);
    await new Promise((r) => setTimeout(r, 100)); // anything extra (a duplicate) would show up now

    assert.equal(received.length, TOTAL, "no message lost or duplicated");
    for (let i = 0; i < TOTAL; i++) if (received[i] !== i) assert.fail(`message ${i} arrived as ${received[i]}`);
    assert.ok(kills >= 3, `the test killed the socket ${kills} times`);
    assert.equal(recoveries.length, kills + 1, `${recoveries.length} recoveries for ${kills} kills and a black hole`);
    assert.equal(disconnects, 0, "every drop was recovered, none needed a new connection");
    assert.equal(connects, 1);
    const slowest = Math.max(...recoveries.map((r) => r.elapsedMs));
    console.log(`      chaos: ${kills} kills + 1 black hole, ${recoveries.length} recoveries, slowest ${slowest} ms, ${TOTAL} messages in order`);
  });

  it("fires recovering then recovered with the same connection id and the close code", async () => {
    const c = viaProxy();
    const connected = once<{ connectionId: string }>(c, "connected");
    await c.start();
    const { connectionId } = await connected;
    const recovering = once<{ connectionId: string; code: number }>(c, "recovering");
    const recovered = once<OnRecoveredArgs>(c, "recovered");
    proxy.killAll();
    const r1 = await recovering;
    assert.equal(r1.connectionId, connectionId);
    assert.equal(r1.code, 1006);
    const r2 = await recovered;
    assert.equal(r2.connectionId, connectionId);
    assert.ok(r2.attempts >= 1);
    assert.equal(emu.connections("chaos").length, 1, "the same connection, not a second one");
  });

  it("drops a black-holed socket by keepalive and recovers", async () => {
    const c = viaProxy({ keepAliveIntervalInMs: 50, keepAliveTimeoutInMs: 300 });
    await c.start();
    await c.joinGroup("g");
    const recovering = once<{ code: number; reason: string }>(c, "recovering");
    proxy.blackHole();
    proxy.restore();
    const r = await recovering;
    assert.equal(r.code, 1006);
    assert.match(r.reason, /keepAliveTimeoutInMs/);
    await once(c, "recovered");
    const got = once<{ message: { data: unknown } }>(c, "group-message");
    assert.equal(await restSend(emu, "/api/hubs/chaos/groups/g/:send", "after"), 202);
    assert.equal((await got).message.data, "after");
  });

  it("retries a send lost with its socket under the same ackId, and the service runs it once", async () => {
    // The event reaches the service, the socket dies before the (slow) handler answers, and
    // the retry after recovery carries the same ackId. Whichever ack arrives first (the
    // original, now on the new socket, or the retry's Duplicate) settles the send.
    const upstream = await startUpstream(async () => {
      await new Promise((r) => setTimeout(r, 300));
      return {};
    });
    await emu.close();
    emu = await startEmulatorOnPort(0, { hubs: { chaos: { eventHandlers: [{ urlTemplate: upstream.url, userEventPattern: "*" }] } } });
    await proxy.close();
    proxy = await startProxy(emu.port);
    try {
      const sent: string[] = [];
      const c = viaProxy({ webSocket: recordingWebSocket(sent) });
      await c.start();
      const sending = c.sendEvent("slow", "once", "text", { ackId: 4242 });
      await eventually(() => upstream.events.length === 1);
      proxy.killAll();
      const result = await sending;
      assert.equal(result.ackId, 4242);
      const events = sent.map((t) => JSON.parse(t)).filter((f) => f.type === "event");
      assert.equal(events.length, 2, "sent, then retried once after the recovery");
      assert.deepEqual(events.map((f) => f.ackId), [4242, 4242]);
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(upstream.events.filter((e) => e.event === "slow").length, 1, "the handler ran once");
    } finally {
      await upstream.close();
    }
  });

  it("queues sends made while recovering and sends them after", async () => {
    const c = viaProxy();
    await c.start();
    await c.joinGroup("g");
    const seen: string[] = [];
    c.on("group-message", (e) => seen.push(e.message.data as string));
    const recovering = once(c, "recovering");
    proxy.killAll();
    await recovering;
    const results = await Promise.all([c.sendToGroup("g", "a", "text"), c.sendToGroup("g", "b", "text")]);
    assert.deepEqual(results.map((r) => r.isDuplicated), [false, false]);
    await eventually(() => seen.length === 2);
    assert.deepEqual(seen, ["a", "b"]);
  });

  it("refuses sends past maxQueuedMessages while recovering", async () => {
    const c = viaProxy({ maxQueuedMessages: 1 });
    await c.start();
    const recovering = once(c, "recovering");
    proxy.blackHole(); // stays down: nothing reconnects until restore()
    await recovering;
    const first = c.sendEvent("e", "1", "text", { fireAndForget: true });
    await assert.rejects(c.sendEvent("e", "2", "text", { fireAndForget: true }), { name: "SendMessageError", code: "WPS_ERR_QUEUE_FULL" });
    proxy.restore();
    await first;
  });

  it("acks by count, so a fast stream never reaches the service's 1,000-unacked limit", async () => {
    const receiver = viaProxy({ keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    let count = 0;
    let dropped = 0;
    receiver.on("group-message", () => count++);
    receiver.on("recovering", () => dropped++);
    receiver.on("disconnected", () => dropped++);
    await receiver.start();
    await receiver.joinGroup("fast");
    const sender = direct();
    await sender.start();
    const TOTAL = 5000;
    const window: Promise<unknown>[] = [];
    for (let i = 0; i < TOTAL; i++) {
      window.push(sender.sendToGroup("fast", i, "json"));
      if (window.length === 64) await Promise.all(window.splice(0));
    }
    await Promise.all(window);
    await eventually(() => count === TOTAL, 20_000, `all ${TOTAL} messages (got ${count})`);
    assert.equal(dropped, 0, "the service never cut the receiver off");
  });

  it("opens a new connection when recovery is refused: a fresh URL, groups rejoined, then connected", async () => {
    const port = emu.port;
    // Its own proxy, kept across the restart (the new emulator takes the same port): killing
    // its connections is a crash (1006), which the client answers with recovery. A clean
    // emu.close() would send 1001, after which the client does not try to recover.
    const crashable = await startProxy(port);
    let urls = 0;
    const c = new WebPubSubClient(
      {
        getClientAccessUrl: async () => {
          urls++;
          return clientUrl({ port: crashable.port }, "chaos", { roles: ROLES });
        },
      },
      { reconnectRetryOptions: { retryDelayInMs: 50 } },
    );
    clients.push(c);
    const connected: { connectionId: string; groups: string[] }[] = [];
    c.on("connected", (e) => connected.push({ connectionId: e.connectionId, groups: emu.connections("chaos").flatMap((x) => x.groups) }));
    const failed: string[] = [];
    c.on("rejoin-group-failed", (e) => failed.push(e.group));
    const disconnected = once<{ connectionId: string; code: number }>(c, "disconnected", 40_000);
    await c.start();
    await c.joinGroup("a");
    await c.joinGroup("b");
    const first = connected[0]!.connectionId;

    // A restarted service knows nothing of the connection: recovery gets 1008.
    crashable.killAll();
    await proxy.close();
    await emu.close();
    emu = await startEmulatorOnPort(port);
    proxy = await startProxy(emu.port);
    const d = await disconnected;
    assert.equal(d.connectionId, first);
    await eventually(() => connected.length === 2, 40_000, "a second connected event");
    // Once per fresh connection attempt (an attempt may fail while the service restarts).
    assert.ok(urls >= 2, "getClientAccessUrl was called again for the new connection");
    assert.notEqual(connected[1]!.connectionId, first);
    assert.deepEqual(connected[1]!.groups.sort(), ["a", "b"], "connected fired after the groups were rejoined");
    assert.deepEqual(failed, []);
    const got = once<{ message: { data: unknown } }>(c, "group-message");
    assert.equal(await restSend(emu, "/api/hubs/chaos/groups/b/:send", "back"), 202);
    assert.equal((await got).message.data, "back");
    c.stop();
    await crashable.close();
  });

  it("reports each group it cannot rejoin and still fires connected", async () => {
    let calls = 0;
    const c = new WebPubSubClient(
      {
        // The second token may join only 'ok': 'secret' fails to rejoin.
        getClientAccessUrl: () =>
          ++calls === 1
            ? clientUrl(emu, "chaos", { roles: ROLES })
            : clientUrl(emu, "chaos", { roles: ["webpubsub.joinLeaveGroup.ok"] }),
      },
      { protocol: WebPubSubJsonProtocol(), reconnectRetryOptions: { retryDelayInMs: 10 } },
    );
    clients.push(c);
    await c.start();
    await c.joinGroup("ok");
    await c.joinGroup("secret");
    const failed = once<{ group: string; error: { code: string; errorDetail: { name: string } } }>(c, "rejoin-group-failed");
    const reconnected = once(c, "connected");
    const id = emu.connections("chaos")[0]!.connectionId;
    const res = await restCall(emu, "DELETE", `/api/hubs/chaos/connections/${id}`);
    assert.equal(res, 204);
    const f = await failed;
    assert.equal(f.group, "secret");
    assert.equal(f.error.code, "WPS_ERR_ACK_REJECTED");
    assert.equal(f.error.errorDetail.name, "Forbidden");
    await reconnected;
    assert.deepEqual(emu.connections("chaos")[0]!.groups, ["ok"]);
  });

  it("does not recover the json protocol: disconnected, then a new connection", async () => {
    const c = viaProxy({ protocol: WebPubSubJsonProtocol(), reconnectRetryOptions: { retryDelayInMs: 10 } });
    let recovering = 0;
    c.on("recovering", () => recovering++);
    await c.start();
    const d = once<{ code: number }>(c, "disconnected");
    const again = once<{ connectionId: string }>(c, "connected");
    proxy.killAll();
    assert.equal((await d).code, 1006);
    await again;
    assert.equal(recovering, 0);
  });
});
