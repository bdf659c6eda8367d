// Every method and event of the client against the emulator on loopback, for both protocols.
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import type { Emulator } from "../../src/emulator/index.js";
import {
  WebPubSubClient,
  WebPubSubJsonProtocol,
  WebPubSubJsonReliableProtocol,
  type GroupDataMessage,
  type OnDisconnectedArgs,
  type ServerDataMessage,
  type WebPubSubClientOptions,
} from "../../src/client/index.js";
import { clientUrl, eventually, once, recordingWebSocket, restCall, restSend, startEmu, startUpstream, type Upstream, type UrlOptions } from "./support.js";

const ROLES = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];

for (const [name, protocol] of [
  ["json.reliable.webpubsub.azure.v1", WebPubSubJsonReliableProtocol],
  ["json.webpubsub.azure.v1", WebPubSubJsonProtocol],
] as const) {
  describe(`WebPubSubClient over ${name}`, function () {
    this.timeout(20_000);
    let emu: Emulator;
    let upstream: Upstream;
    const clients: WebPubSubClient[] = [];

    before(async () => {
      upstream = await startUpstream(async (event, body) => {
        if (event === "echo") return { type: "text/plain", body: `echo:${body}` };
        if (event === "json") return { type: "application/json", body: JSON.stringify({ got: JSON.parse(body) }) };
        // 4xx: the emulator does not retry it upstream, and acks InternalServerError.
        if (event === "fail") return { status: 400 };
        if (event === "slow") {
          await new Promise((r) => setTimeout(r, 1000));
          return {};
        }
        return {};
      });
      emu = await startEmu({
        hubs: { chat: { eventHandlers: [{ urlTemplate: upstream.url, userEventPattern: "echo,json,fail,slow,ok" }] } },
      });
    });
    after(async () => {
      await emu.close();
      await upstream.close();
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.stop()));
    });

    function client(url: UrlOptions = { roles: ROLES }, options: WebPubSubClientOptions = {}): WebPubSubClient {
      const c = new WebPubSubClient(clientUrl(emu, "chat", url), { protocol: protocol(), ...options });
      clients.push(c);
      return c;
    }

    it("starts, fires connected with the connection and user id, and negotiates the protocol", async () => {
      const c = client({ userId: "alice", roles: ROLES });
      const connected = once<{ connectionId: string; userId: string }>(c, "connected");
      await c.start();
      const e = await connected;
      assert.equal(e.userId, "alice");
      const [info] = emu.connections("chat").filter((x) => x.connectionId === e.connectionId);
      assert.equal(info?.subprotocol, name);
    });

    it("joins a group and receives text, json and binary group messages with the sender's user id", async () => {
      const a = client({ userId: "a", roles: ROLES });
      const b = client({ userId: "b", roles: ROLES });
      await a.start();
      await b.start();
      await a.joinGroup("room");
      const got: GroupDataMessage[] = [];
      a.on("group-message", (e) => got.push(e.message));
      await b.sendToGroup("room", "hi", "text");
      await b.sendToGroup("room", { n: [1, 2] }, "json");
      await b.sendToGroup("room", new Uint8Array([0, 255, 7]), "binary");
      await b.sendToGroup("room", new Uint8Array([9, 8]).buffer, "binary");
      await eventually(() => got.length === 4);
      assert.deepEqual(
        got.map((m) => [m.kind, m.group, m.fromUserId, m.dataType]),
        [
          ["groupData", "room", "b", "text"],
          ["groupData", "room", "b", "json"],
          ["groupData", "room", "b", "binary"],
          ["groupData", "room", "b", "binary"],
        ],
      );
      assert.equal(got[0]!.data, "hi");
      assert.deepEqual(got[1]!.data, { n: [1, 2] });
      assert.ok(got[2]!.data instanceof ArrayBuffer);
      assert.deepEqual([...new Uint8Array(got[2]!.data as ArrayBuffer)], [0, 255, 7]);
      assert.deepEqual([...new Uint8Array(got[3]!.data as ArrayBuffer)], [9, 8]);
      if (name.includes("reliable")) assert.ok(got.every((m) => typeof m.sequenceId === "number"));
      else assert.ok(got.every((m) => m.sequenceId === undefined));
    });

    it("resolves an acked send with its ackId, and a fire-and-forget send without one", async () => {
      const c = client();
      await c.start();
      const acked = await c.sendToGroup("room", "x", "text");
      assert.equal(typeof acked.ackId, "number");
      assert.equal(acked.isDuplicated, false);
      const chosen = await c.sendToGroup("room", "x", "text", { ackId: 777 });
      assert.deepEqual(chosen, { ackId: 777, isDuplicated: false });
      const fire = await c.sendToGroup("room", "x", "text", { fireAndForget: true });
      assert.deepEqual(fire, { isDuplicated: false });
    });

    it("honours noEcho", async () => {
      const c = client();
      await c.start();
      await c.joinGroup("echo-room");
      const got: unknown[] = [];
      c.on("group-message", (e) => got.push(e.message.data));
      await c.sendToGroup("echo-room", "silent", "text", { noEcho: true });
      await c.sendToGroup("echo-room", "loud", "text");
      await eventually(() => got.length >= 1);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(got, ["loud"]);
    });

    it("stops receiving a group after leaveGroup", async () => {
      const c = client();
      await c.start();
      await c.joinGroup("gone");
      await c.leaveGroup("gone");
      assert.deepEqual(emu.connections("chat").find((x) => x.groups.includes("gone")), undefined);
    });

    it("receives server messages sent through REST", async () => {
      const c = client();
      const connected = once<{ connectionId: string }>(c, "connected");
      await c.start();
      const { connectionId } = await connected;
      const got: ServerDataMessage[] = [];
      c.on("server-message", (e) => got.push(e.message));
      assert.equal(await restSend(emu, `/api/hubs/chat/connections/${connectionId}/:send`, '{"a":1}', "application/json"), 202);
      assert.equal(await restSend(emu, `/api/hubs/chat/connections/${connectionId}/:send`, "plain"), 202);
      await eventually(() => got.length === 2);
      assert.deepEqual(got.map((m) => [m.kind, m.dataType, m.data]), [
        ["serverData", "json", { a: 1 }],
        ["serverData", "text", "plain"],
      ]);
    });

    it("sends an event; the handler's reply arrives as a server message before the ack", async () => {
      const c = client();
      await c.start();
      const replies: unknown[] = [];
      c.on("server-message", (e) => replies.push(e.message.data));
      const result = await c.sendEvent("echo", "ping", "text");
      assert.deepEqual(replies, ["echo:ping"]);
      assert.equal(result.isDuplicated, false);
      assert.equal(upstream.events.at(-1)?.body, "ping");
    });

    it("invokes an event and resolves with the handler's response, not a server message", async () => {
      const c = client();
      await c.start();
      let serverMessages = 0;
      c.on("server-message", () => serverMessages++);
      const text = await c.invokeEvent("echo", "ping", "text", { invocationId: "inv-1" });
      assert.deepEqual(text, { invocationId: "inv-1", dataType: "text", data: "echo:ping" });
      const json = await c.invokeEvent("json", { q: 1 }, "json");
      assert.equal(typeof json.invocationId, "string");
      assert.deepEqual([json.dataType, json.data], ["json", { got: { q: 1 } }]);
      const empty = await c.invokeEvent("ok", new Uint8Array([1]), "binary");
      assert.deepEqual(Object.keys(empty), ["invocationId"]);
      assert.equal(serverMessages, 0);
    });

    it("numbers invocations where crypto.randomUUID is missing (an insecure page), skipping an id still waiting", async () => {
      const c = client();
      await c.start();
      // The emulator runs a connection's events in order: "slow" (1 s) is still waiting when the next call picks its id.
      const taken = c.invokeEvent("slow", "x", "text", { invocationId: "1" });
      const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto")!;
      Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
      let answer: Promise<{ invocationId: string }>;
      try {
        // The id is chosen synchronously, before invokeEvent's first await.
        answer = c.invokeEvent("echo", "a", "text");
      } finally {
        Object.defineProperty(globalThis, "crypto", saved);
      }
      assert.equal((await taken).invocationId, "1");
      assert.equal((await answer).invocationId, "2");
    });

    it("rejects an invocation the handler fails or nobody handles with InvocationError", async () => {
      const c = client();
      await c.start();
      await assert.rejects(c.invokeEvent("fail", "x", "text", { invocationId: "f1" }), (err: any) => {
        assert.equal(err.name, "InvocationError");
        assert.equal(err.code, "WPS_ERR_INVOCATION_FAILED");
        assert.equal(err.invocationId, "f1");
        assert.equal(err.errorDetail.name, "InternalServerError");
        return true;
      });
      await assert.rejects(c.invokeEvent("nobody", "x", "text"), { name: "InvocationError", code: "WPS_ERR_INVOCATION_FAILED" });
    });

    it("times out an invocation, and settles pending ones on stop", async () => {
      const c = client(undefined, { ackTimeoutInMs: 100 });
      await c.start();
      await assert.rejects(c.invokeEvent("slow", "x", "text"), { name: "InvocationError", code: "WPS_ERR_ACK_TIMEOUT" });
      const c2 = client();
      await c2.start();
      const pending = c2.invokeEvent("slow", "x", "text").then(
        () => "resolved",
        (err: { code: string }) => err.code,
      );
      await new Promise((r) => setTimeout(r, 50));
      await c2.stop();
      assert.equal(await pending, "WPS_ERR_CLOSED");
    });

    it("rejects a send without permission with Forbidden, without retrying", async () => {
      const sent: string[] = [];
      const c = client({}, { webSocket: recordingWebSocket(sent) });
      await c.start();
      await assert.rejects(c.joinGroup("locked"), (err: any) => {
        assert.equal(err.name, "SendMessageError");
        assert.equal(err.code, "WPS_ERR_ACK_REJECTED");
        assert.equal(err.errorDetail.name, "Forbidden");
        assert.equal(typeof err.ackId, "number");
        return true;
      });
      await assert.rejects(c.sendToGroup("locked", "x", "text"), { code: "WPS_ERR_ACK_REJECTED", errorDetail: { name: "Forbidden", message: "The connection has no permission to send to group 'locked'." } });
      assert.equal(sent.filter((t) => t.includes('"joinGroup"')).length, 1, "Forbidden is final");
      assert.equal(sent.filter((t) => t.includes('"sendToGroup"')).length, 1, "Forbidden is final");
    });

    it("rejects a malformed request with BadRequest, without retrying", async () => {
      const sent: string[] = [];
      const c = client(undefined, { webSocket: recordingWebSocket(sent) });
      await c.start();
      // Event names must match ^[a-z][a-z0-9_.-]{0,127}$; the client leaves that to the service.
      await assert.rejects(c.sendEvent("Bad Name", "x", "text"), (err: any) => err.code === "WPS_ERR_ACK_REJECTED" && err.errorDetail.name === "BadRequest");
      assert.equal(sent.filter((t) => t.includes('"event"')).length, 1);
    });

    it("retries InternalServerError with the same ackId, then rejects", async () => {
      const sent: string[] = [];
      const c = client(undefined, { webSocket: recordingWebSocket(sent), messageRetryOptions: { maxRetries: 2, retryDelayInMs: 10 } });
      await c.start();
      await assert.rejects(
        c.sendEvent("fail", "x", "text", { ackId: 31 }),
        (err: any) => err.code === "WPS_ERR_ACK_REJECTED" && err.ackId === 31 && err.errorDetail.name === "InternalServerError",
      );
      const tries = sent.map((t) => JSON.parse(t)).filter((f) => f.type === "event");
      assert.deepEqual(tries.map((f) => f.ackId), [31, 31, 31]);
    });

    it("reports a repeated ackId as a duplicate, not run twice", async () => {
      const c = client();
      await c.start();
      await c.joinGroup("dup");
      const got: unknown[] = [];
      c.on("group-message", (e) => got.push(e.message.data));
      assert.deepEqual(await c.sendToGroup("dup", "once", "text", { ackId: 900 }), { ackId: 900, isDuplicated: false });
      assert.deepEqual(await c.sendToGroup("dup", "once", "text", { ackId: 900 }), { ackId: 900, isDuplicated: true });
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(got, ["once"]);
    });

    it("times out an ack that does not come", async () => {
      const c = client(undefined, { ackTimeoutInMs: 100, messageRetryOptions: { maxRetries: 0 } });
      await c.start();
      await assert.rejects(c.sendEvent("slow", "x", "text", { ackId: 5 }), { name: "SendMessageError", code: "WPS_ERR_ACK_TIMEOUT", ackId: 5 });
    });

    it("settles every pending ack when stopped", async () => {
      const c = client();
      await c.start();
      const outcomes = [c.sendEvent("slow", "1", "text"), c.sendEvent("slow", "2", "text")].map((p) =>
        p.then(
          () => "resolved",
          (err: { code: string }) => err.code,
        ),
      );
      await new Promise((r) => setTimeout(r, 50));
      await c.stop();
      assert.deepEqual(await Promise.all(outcomes), ["WPS_ERR_CLOSED", "WPS_ERR_CLOSED"]);
    });

    it("cancels a send by abortSignal", async () => {
      const c = client();
      await c.start();
      const ac = new AbortController();
      const p = c.sendEvent("slow", "x", "text", { abortSignal: ac.signal });
      ac.abort();
      await assert.rejects(p, { code: "WPS_ERR_ABORTED" });
    });

    it("refuses sends before start and after stop, at once", async () => {
      const c = client();
      await assert.rejects(c.sendToGroup("g", "x", "text"), { code: "WPS_ERR_NOT_CONNECTED" });
      await c.start();
      await c.stop();
      await assert.rejects(c.joinGroup("g"), { code: "WPS_ERR_NOT_CONNECTED" });
    });

    it("checks arguments before any I/O", async () => {
      const c = client();
      await assert.rejects(c.sendToGroup("", "x", "text"), { code: "WPS_ERR_INVALID_ARGUMENT" });
      await assert.rejects(c.sendToGroup("g", 42 as unknown as string, "text"), { name: "TypeError", code: "WPS_ERR_INVALID_ARGUMENT" });
      await assert.rejects(c.sendToGroup("g", "x", "binary"), { code: "WPS_ERR_INVALID_ARGUMENT" });
      await assert.rejects(c.sendToGroup("g", "x", "xml" as "text"), { code: "WPS_ERR_INVALID_ARGUMENT" });
      await assert.rejects(c.joinGroup("g", { ackId: -1 }), { code: "WPS_ERR_INVALID_ARGUMENT" });
      await assert.rejects(c.sendToGroup("g", "x", "text", { noEcho: 1n as unknown as boolean }), { name: "TypeError", code: "WPS_ERR_INVALID_ARGUMENT" });
    });

    it("fires disconnected with the service's message, code and reason, then stopped, when closed by REST", async () => {
      const c = client(undefined, { autoReconnect: false });
      const connected = once<{ connectionId: string }>(c, "connected");
      await c.start();
      const { connectionId } = await connected;
      const disconnected = once<OnDisconnectedArgs>(c, "disconnected");
      const stopped = once(c, "stopped");
      assert.equal(await restCall(emu, "DELETE", `/api/hubs/chat/connections/${connectionId}?reason=bye`), 204);
      const d = await disconnected;
      assert.equal(d.connectionId, connectionId);
      assert.deepEqual(d.message, { kind: "disconnected", message: "bye" });
      assert.equal(d.code, 1000);
      assert.equal(typeof d.reason, "string");
      await stopped;
    });

    it("reconnects after a REST close and rejoins its groups", async () => {
      const c = client(undefined, { reconnectRetryOptions: { retryDelayInMs: 10 } });
      const first = once<{ connectionId: string }>(c, "connected");
      await c.start();
      const { connectionId } = await first;
      await c.joinGroup("back");
      const second = new Promise<{ connectionId: string }>((resolve) => c.on("connected", (e) => e.connectionId !== connectionId && resolve(e)));
      assert.equal(await restCall(emu, "DELETE", `/api/hubs/chat/connections/${connectionId}`), 204);
      const e = await second;
      assert.deepEqual(emu.connections("chat").find((x) => x.connectionId === e.connectionId)?.groups, ["back"]);
    });

    it("stops: disconnected then stopped, and the service sees a clean close", async () => {
      const c = client();
      await c.start();
      const order: string[] = [];
      c.on("disconnected", (e) => order.push(`disconnected ${e.code}`));
      c.on("stopped", () => order.push("stopped"));
      await c.stop();
      assert.deepEqual(order, ["disconnected 1000", "stopped"]);
      await eventually(() => emu.connections("chat").length === 0, 2000, "the connection to end");
      await c.stop(); // twice is fine
    });

    it("can be started again after stop", async () => {
      const c = client();
      await c.start();
      await c.stop();
      await c.start();
      assert.equal((await c.sendToGroup("g", "x", "text")).isDuplicated, false);
    });

    it("refuses start() when already started", async () => {
      const c = client();
      await c.start();
      await assert.rejects(c.start(), { code: "WPS_ERR_INVALID_STATE", message: "start() called while connected" });
    });

    it("rejects start() with ConnectionError on a refused handshake and fires no event", async () => {
      const bad = clientUrl(emu, "chat").replace(/access_token=[^&]+/, "access_token=nope");
      const c = new WebPubSubClient(bad, { protocol: protocol() });
      clients.push(c);
      let events = 0;
      for (const e of ["connected", "disconnected", "stopped"] as const) c.on(e, () => events++);
      await assert.rejects(c.start(), (err: any) => {
        assert.equal(err.name, "ConnectionError");
        assert.equal(err.code, "WPS_ERR_CONNECT_FAILED");
        assert.doesNotMatch(err.message, /access_token|nope/);
        return true;
      });
      assert.equal(events, 0);
    });

    it("calls getClientAccessUrl on start and passes the abort signal", async () => {
      let seen: unknown;
      const c = new WebPubSubClient(
        {
          getClientAccessUrl: async (o) => {
            seen = o?.abortSignal;
            return clientUrl(emu, "chat");
          },
        },
        { protocol: protocol() },
      );
      clients.push(c);
      await c.start();
      assert.ok(seen && typeof (seen as AbortSignal).aborted === "boolean");
    });

    it("aborts start() by its signal", async () => {
      const c = new WebPubSubClient({ getClientAccessUrl: () => new Promise<string>(() => undefined) }, { protocol: protocol() });
      clients.push(c);
      const ac = new AbortController();
      const p = c.start({ abortSignal: ac.signal });
      ac.abort();
      await assert.rejects(p, { code: "WPS_ERR_ABORTED" });
    });

    it("stops at the end of an await using block", async () => {
      let stopped = false;
      {
        await using c = new WebPubSubClient(clientUrl(emu, "chat"), { protocol: protocol() });
        c.on("stopped", () => (stopped = true));
        await c.start();
      }
      assert.equal(stopped, true);
    });

    it("takes a WebSocket class or a factory as webSocket", async () => {
      let made = 0;
      const viaClass = client(undefined, { webSocket: WebSocket });
      await viaClass.start();
      const viaFactory = client(undefined, {
        webSocket: (url, p) => {
          made++;
          return new WebSocket(url, p);
        },
      });
      await viaFactory.start();
      assert.equal(made, 1);
    });

    it("keeps going when a listener throws", async () => {
      const c = client();
      const reported: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void reported.push(args[1]);
      const g = globalThis as { reportError?: unknown };
      const saved = g.reportError;
      delete g.reportError;
      try {
        c.on("connected", () => {
          throw new Error("listener bug");
        });
        let second = false;
        c.on("connected", () => (second = true));
        await c.start();
        assert.equal(second, true);
        assert.equal((reported[0] as Error).message, "listener bug");
      } finally {
        console.error = original;
        if (saved) g.reportError = saved;
      }
    });
  });
}

describe("WebPubSubClient options", () => {
  it("refuses plain ws:// off loopback unless allowed", () => {
    assert.throws(() => new WebPubSubClient("ws://example.com/client/hubs/h?access_token=secret"), (err: any) => {
      assert.equal(err.code, "WPS_ERR_INSECURE_ENDPOINT");
      assert.equal(err.message, "ws://example.com would send the token unencrypted: use wss:// or allowInsecureConnection");
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
    new WebPubSubClient("ws://example.com/client/hubs/h?access_token=x", { allowInsecureConnection: true });
    new WebPubSubClient("ws://localhost:8080/client/hubs/h?access_token=x");
  });

  it("refuses bad options in the constructor, each error naming the option and the value it got", () => {
    const url = "wss://example.com/client/hubs/h";
    // [options, error class, what the message must say]
    const cases: [unknown, string, RegExp][] = [
      [{ autoReconnect: "yes" }, "TypeError", /^autoReconnect must be a boolean, got yes$/],
      [{ autoRejoinGroups: 0 }, "TypeError", /^autoRejoinGroups must be a boolean, got 0$/],
      [{ allowInsecureConnection: {} }, "TypeError", /^allowInsecureConnection must be a boolean, got object$/],
      [{ keepAliveIntervalInMs: -1 }, "RangeError", /^keepAliveIntervalInMs must be 0 to 2147483647 ms, got -1$/],
      [{ keepAliveTimeoutInMs: 2 ** 31 }, "RangeError", /^keepAliveTimeoutInMs must be .*, got 2147483648$/],
      [{ ackTimeoutInMs: Number.NaN }, "RangeError", /^ackTimeoutInMs must be .*, got NaN$/],
      [{ maxQueuedMessages: 1.5 }, "RangeError", /^maxQueuedMessages must be an integer >= 0, got 1.5$/],
      [{ webSocket: "ws" }, "TypeError", /^webSocket must be a WebSocket class or factory, got ws$/],
      [{ protocol: { name: "mqtt", isReliableSubProtocol: false } }, "TypeError", /^protocol.name must be json.webpubsub.azure.v1 or json.reliable.webpubsub.azure.v1, got mqtt$/],
      [{ messageRetryOptions: { mode: "Linear" } }, "RangeError", /^messageRetryOptions.mode must be "Fixed" or "Exponential", got Linear$/],
      [{ messageRetryOptions: { maxRetries: -1 } }, "RangeError", /^messageRetryOptions.maxRetries must be an integer >= 0 or Infinity, got -1$/],
      [{ reconnectRetryOptions: { retryDelayInMs: Infinity } }, "RangeError", /^reconnectRetryOptions.retryDelayInMs must be a number >= 0, got Infinity$/],
      [{ reconnectRetryOptions: { maxRetryDelayInMs: "1" } }, "RangeError", /^reconnectRetryOptions.maxRetryDelayInMs must be a number >= 0, got 1$/],
      [null, "TypeError", /^options must be an object, got null$/],
      // A function is shown by its type, never by its source.
      [{ autoReconnect: () => "secret" }, "TypeError", /^autoReconnect must be a boolean, got function$/],
    ];
    for (const [options, name, message] of cases) {
      assert.throws(() => new WebPubSubClient(url, options as never), { name, code: "WPS_ERR_INVALID_ARGUMENT", message }, JSON.stringify(options));
    }
    // Valid values at the edges are taken.
    new WebPubSubClient(url, { keepAliveIntervalInMs: 0, ackTimeoutInMs: 2 ** 31 - 1, maxQueuedMessages: 0, reconnectRetryOptions: { maxRetries: Infinity, mode: "Exponential" } });
    assert.throws(() => new WebPubSubClient({} as never), { code: "WPS_ERR_INVALID_ARGUMENT", message: /credential/ });
    assert.throws(() => new WebPubSubClient("not a url"), { code: "WPS_ERR_INVALID_ARGUMENT", message: /URL/ });
    assert.throws(() => new WebPubSubClient("ftp://example.com/"), { code: "WPS_ERR_INVALID_ARGUMENT", message: /wss:\/\/, got ftp:/ });
  });

  it("takes http(s) URLs as ws(s) and counts only loopback hosts as local", () => {
    for (const local of ["ws://localhost:8080/", "http://LOCALHOST/", "ws://a.localhost/", "ws://127.0.0.1/", "ws://127.1/", "ws://[::1]:80/", "ws://[0:0::1]/"]) {
      new WebPubSubClient(`${local}client/hubs/h`);
    }
    for (const remote of ["ws://localhost.example.com/", "ws://127.0.0.1.nip.io/", "http://10.0.0.1/", "ws://[::2]/"]) {
      assert.throws(() => new WebPubSubClient(`${remote}client/hubs/h`), { code: "WPS_ERR_INSECURE_ENDPOINT" }, remote);
    }
    new WebPubSubClient("https://example.com/client/hubs/h");
  });
});
