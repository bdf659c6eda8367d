import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebPubSubEventHandler } from "@azure/web-pubsub-express";
import {
  UpstreamDispatcher,
  validateHubSettings,
  type ConnectEventBody,
  type HubSettings,
  type UpstreamContext,
  type UpstreamDispatcherOptions,
} from "../../src/emulator/upstream/index.js";
import { AbuseProtectionHeader, CloudEventHeader, buildEventType } from "../../src/core/index.js";
import { CE, WEBHOOK } from "./helpers.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Responder = (req: Recorded, res: ServerResponse) => void;

/** A real handler on port 0 that records every request. OPTIONS is accepted with `*` unless `respond` handles it. */
class TestHandler {
  readonly requests: Recorded[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private server!: Server;
  base = "";

  constructor(private respond: Responder = defaultRespond) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const rec: Recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
        this.requests.push(rec);
        this.respond(rec, res);
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.count ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests other than the validation probe. */
  get posts(): Recorded[] {
    return this.requests.filter((r) => r.method === "POST");
  }

  get probes(): Recorded[] {
    return this.requests.filter((r) => r.method === "OPTIONS" || r.method === "GET");
  }

  waitForRequests(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  setResponder(respond: Responder): void {
    this.respond = respond;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function defaultRespond(req: Recorded, res: ServerResponse): void {
  if (req.method === "OPTIONS") {
    res.setHeader(AbuseProtectionHeader.allowedOrigin, "*");
    res.end();
    return;
  }
  res.statusCode = 204;
  res.end();
}

/** Accepts validation, answers POSTs with `post`. */
function onPost(post: Responder): Responder {
  return (req, res) => (req.method === "POST" ? post(req, res) : defaultRespond(req, res));
}

function ctx(overrides: Partial<UpstreamContext> = {}): UpstreamContext {
  return {
    hub: "chat",
    connectionId: "conn-1",
    userId: "user1",
    subprotocol: "json.webpubsub.azure.v1",
    origin: "localhost:8080",
    ...overrides,
  };
}

const connectBody: ConnectEventBody = {
  claims: { sub: ["user1"], role: ["webpubsub.joinLeaveGroup"] },
  query: { foo: ["bar"] },
  headers: { "User-Agent": ["test"] },
  subprotocols: ["json.webpubsub.azure.v1"],
  clientCertificates: [],
};

/** Polls until `check` holds; mocha's timeout bounds it. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
}

const allEvents = (urlTemplate: string): HubSettings => ({
  eventHandlers: [{ urlTemplate, userEventPattern: "*", systemEvents: ["connect", "connected", "disconnected"] }],
});

describe("upstream", () => {
  let handler: TestHandler;
  let dispatcher: UpstreamDispatcher | undefined;
  let logs: string[];

  function make(options: Partial<UpstreamDispatcherOptions> & { hubs?: Record<string, HubSettings> } = {}): UpstreamDispatcher {
    dispatcher = new UpstreamDispatcher({
      accessKey: KEY,
      hubs: { chat: allEvents(`${handler.base}/api/{event}`) },
      onLog: (line) => logs.push(line),
      retryDelaysMs: [0, 0, 0],
      ...options,
    });
    return dispatcher;
  }

  beforeEach(async () => {
    logs = [];
    handler = await new TestHandler().start();
  });

  afterEach(async () => {
    await dispatcher?.close();
    dispatcher = undefined;
    await handler.stop();
  });

  describe("request headers", () => {
    it("sends every CloudEvents header of a user event", async () => {
      const d = make();
      await d.userEvent(ctx({ connectionState: "c3RhdGU=" }), "chat.msg", Buffer.from("hi"), "text");
      const [post] = handler.posts;
      assert.ok(post);
      const h = post.headers;
      assert.equal(post.path, "/api/chat.msg");
      assert.equal(h["content-type"], "text/plain; charset=utf-8");
      assert.equal(h[WEBHOOK.requestOrigin], "localhost:8080");
      assert.equal(h[CE.specVersion], "1.0");
      assert.equal(h[CE.awpsVersion], "1.0");
      assert.equal(h[CE.type], buildEventType("user", "chat.msg"));
      assert.equal(h[CE.source], "/hubs/chat/client/conn-1");
      assert.equal(h[CE.hub], "chat");
      assert.equal(h[CE.connectionId], "conn-1");
      assert.equal(h[CE.eventName], "chat.msg");
      assert.equal(h[CE.userId], "user1");
      assert.equal(h[CE.subprotocol], "json.webpubsub.azure.v1");
      assert.equal(h[CE.connectionState], "c3RhdGU=");
      assert.match(String(h[CE.id]), /^\d+$/);
      assert.ok(!Number.isNaN(Date.parse(String(h[CE.time]))), "ce-time is a timestamp");
      assert.equal(post.body.toString(), "hi");
    });

    it("signs the connection id with HMAC-SHA256 of the access key", async () => {
      const d = make();
      await d.userEvent(ctx({ connectionId: "abc-123" }), "message", Buffer.from("x"), "text");
      const expected = createHmac("sha256", KEY).update("abc-123").digest("hex");
      assert.equal(handler.posts[0]?.headers[CE.signature], `sha256=${expected}`);
    });

    it("omits ce-userId, ce-subprotocol and ce-connectionState when unset", async () => {
      const d = make();
      await d.userEvent(ctx({ userId: null, subprotocol: null }), "message", Buffer.from("x"), "binary");
      const h = handler.posts[0]?.headers ?? {};
      assert.equal(CE.userId in h, false);
      assert.equal(CE.subprotocol in h, false);
      assert.equal(CE.connectionState in h, false);
      assert.equal(h["content-type"], "application/octet-stream");
    });

    it("numbers events per connection: 0 for connect, then 1, 2, …", async () => {
      const d = make();
      await d.connect(ctx(), connectBody);
      d.connected(ctx());
      await handler.waitForRequests(3); // probe + connect + connected
      await d.userEvent(ctx(), "message", Buffer.from("x"), "text");
      await d.userEvent(ctx({ connectionId: "other" }), "message", Buffer.from("x"), "text");
      assert.deepEqual(
        handler.posts.map((p) => `${String(p.headers[CE.connectionId])}:${String(p.headers[CE.id])}`),
        ["conn-1:0", "conn-1:1", "conn-1:2", "other:1"],
      );
    });

    it("sends UTF-8 bytes for a non-ASCII user id", async () => {
      const d = make();
      await d.userEvent(ctx({ userId: "zoë" }), "message", Buffer.from("x"), "text");
      const raw = String(handler.posts[0]?.headers[CE.userId]);
      assert.equal(Buffer.from(raw, "latin1").toString("utf8"), "zoë");
    });

    it("fills {event} and {hub} escaped in the URL template", async () => {
      const d = make({ hubs: { "chat[1]": allEvents(`${handler.base}/h/{hub}/e/{event}?code=1`) } });
      await d.userEvent(ctx({ hub: "chat[1]" }), "a.b", Buffer.from("x"), "text");
      assert.equal(handler.posts[0]?.path, "/h/chat%5B1%5D/e/a.b?code=1");
      assert.equal(handler.probes[0]?.path, "/h/chat%5B1%5D/e/validate?code=1");
    });
  });

  describe("abuse-protection validation", () => {
    it("probes once with OPTIONS before the first event", async () => {
      const d = make();
      await d.userEvent(ctx(), "a", Buffer.from("1"), "text");
      await d.userEvent(ctx(), "b", Buffer.from("2"), "text");
      await d.connect(ctx({ connectionId: "c2" }), connectBody);
      assert.equal(handler.probes.length, 1);
      const [probe] = handler.requests;
      assert.equal(probe?.method, "OPTIONS");
      assert.equal(probe?.path, "/api/validate");
      assert.equal(probe?.headers[WEBHOOK.requestOrigin], "localhost:8080");
      assert.equal(probe?.headers[CE.awpsVersion], "1.0");
      assert.equal(CE.signature in (probe?.headers ?? {}), false);
      assert.equal(handler.posts.length, 3);
    });

    it("shares one probe between concurrent first events", async () => {
      const d = make();
      await Promise.all([1, 2, 3].map((i) => d.userEvent(ctx({ connectionId: `c${i}` }), "m", Buffer.from("x"), "text")));
      assert.equal(handler.probes.length, 1);
      assert.equal(handler.posts.length, 3);
    });

    it("accepts an allowed origin equal to the request host", async () => {
      handler.setResponder((req, res) => {
        if (req.method === "OPTIONS") res.setHeader(AbuseProtectionHeader.allowedOrigin, "LOCALHOST:8080");
        res.end();
      });
      const d = make();
      const outcome = await d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      assert.equal(outcome.kind, "ok");
    });

    it("fails the event without posting when the origin is not allowed", async () => {
      handler.setResponder((req, res) => {
        if (req.method === "OPTIONS") res.setHeader(AbuseProtectionHeader.allowedOrigin, "other.example");
        res.end();
      });
      const d = make();
      assert.deepEqual(await d.userEvent(ctx(), "m", Buffer.from("x"), "text"), { kind: "failed" });
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "reject", status: 500 });
      assert.equal(handler.posts.length, 0);
      assert.ok(logs.some((l) => l.includes("does not allow") && l.includes("localhost:8080")), logs.join("\n"));
    });

    it("backs off after a failed probe, then probes again", async () => {
      let clock = 0;
      let allow = false;
      handler.setResponder((req, res) => {
        if (req.method === "OPTIONS" && allow) res.setHeader(AbuseProtectionHeader.allowedOrigin, "*");
        if (req.method === "OPTIONS" && !allow) res.statusCode = 403;
        res.end();
      });
      const d = make({ now: () => clock });
      assert.equal((await d.userEvent(ctx(), "m", Buffer.from("x"), "text")).kind, "failed");
      allow = true;
      clock = 500; // inside the 1 s backoff: no new probe
      assert.equal((await d.userEvent(ctx(), "m", Buffer.from("x"), "text")).kind, "failed");
      assert.equal(handler.probes.length, 1);
      clock = 1_001;
      assert.equal((await d.userEvent(ctx(), "m", Buffer.from("x"), "text")).kind, "ok");
      assert.equal(handler.probes.length, 2);
    });

    it("doubles the backoff on repeated failures", async () => {
      let clock = 0;
      handler.setResponder((req, res) => {
        res.statusCode = req.method === "OPTIONS" ? 500 : 204;
        res.end();
      });
      const d = make({ now: () => clock });
      await d.userEvent(ctx(), "m", Buffer.from("x"), "text"); // probe 1 fails, backoff 1 s
      clock = 1_000;
      await d.userEvent(ctx(), "m", Buffer.from("x"), "text"); // probe 2 fails, backoff 2 s
      clock = 2_500;
      await d.userEvent(ctx(), "m", Buffer.from("x"), "text"); // still backing off
      assert.equal(handler.probes.length, 2);
      clock = 3_000;
      await d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      assert.equal(handler.probes.length, 3);
    });

    it("revalidates once the cached success expires", async () => {
      let clock = 0;
      const d = make({ now: () => clock });
      await d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      clock = 59_999;
      await d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      assert.equal(handler.probes.length, 1);
      clock = 60_000;
      await d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      assert.equal(handler.probes.length, 2);
    });

    it("falls back to GET when OPTIONS answers 404", async () => {
      handler.setResponder((req, res) => {
        if (req.method === "OPTIONS") res.statusCode = 404;
        if (req.method === "GET") res.setHeader(AbuseProtectionHeader.allowedOrigin, "*");
        res.end();
      });
      const d = make();
      assert.equal((await d.userEvent(ctx(), "m", Buffer.from("x"), "text")).kind, "ok");
      assert.deepEqual(handler.requests.map((r) => r.method), ["OPTIONS", "GET", "POST"]);
      assert.equal(handler.requests[1]?.headers[WEBHOOK.requestOrigin], "localhost:8080");
    });
  });

  describe("connect", () => {
    it("posts the connect body as JSON", async () => {
      const d = make();
      await d.connect(ctx({ userId: null }), connectBody);
      const post = handler.posts[0];
      assert.equal(post?.headers[CE.type], buildEventType("sys", "connect"));
      assert.equal(post?.headers[CE.eventName], "connect");
      assert.match(String(post?.headers["content-type"]), /^application\/json/);
      assert.deepEqual(JSON.parse(String(post?.body)), connectBody);
    });

    it("accepts with token defaults on 204", async () => {
      const d = make();
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "accept" });
    });

    it("applies userId, groups, roles, subprotocol and state from a 200 body", async () => {
      handler.setResponder(onPost((_req, res) => {
        res.setHeader(CloudEventHeader.connectionState, "eyJhIjoxfQ==");
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify({ userId: "u2", groups: ["g1", "g2"], roles: ["webpubsub.sendToGroup.g1"], subprotocol: "custom" }));
      }));
      const d = make();
      assert.deepEqual(await d.connect(ctx(), connectBody), {
        kind: "accept",
        connectionState: "eyJhIjoxfQ==",
        userId: "u2",
        groups: ["g1", "g2"],
        roles: ["webpubsub.sendToGroup.g1"],
        subprotocol: "custom",
      });
    });

    it("keeps token groups for an empty list but clears roles for an empty list", async () => {
      handler.setResponder(onPost((_req, res) => res.end(JSON.stringify({ groups: [], roles: [] }))));
      const d = make();
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "accept", roles: [] });
    });

    it("overrides userId even with an empty string", async () => {
      handler.setResponder(onPost((_req, res) => res.end(JSON.stringify({ userId: "" }))));
      const d = make();
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "accept", userId: "" });
    });

    it("treats a null body or null fields as defaults", async () => {
      handler.setResponder(onPost((req, res) => res.end(req.body.length > 0 && req.headers[CE.connectionId] === "a" ? "null" : '{"userId":null,"groups":null}')));
      const d = make();
      assert.deepEqual(await d.connect(ctx({ connectionId: "a" }), connectBody), { kind: "accept" });
      assert.deepEqual(await d.connect(ctx({ connectionId: "b" }), connectBody), { kind: "accept" });
    });

    it("rejects with the handler's 4xx status", async () => {
      handler.setResponder(onPost((_req, res) => {
        res.statusCode = 401;
        res.end("nope");
      }));
      const d = make();
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "reject", status: 401 });
      assert.equal(handler.posts.length, 1, "4xx is not retried");
    });

    it("rejects a blank subprotocol as an invalid response", async () => {
      handler.setResponder(onPost((_req, res) => res.end(JSON.stringify({ subprotocol: "  " }))));
      const d = make();
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "reject", status: 500 });
      assert.ok(logs.some((l) => l.includes("subprotocol")));
    });

    it("rejects a body that is not JSON or has wrong field types", async () => {
      handler.setResponder(onPost((req, res) => res.end(req.headers[CE.connectionId] === "a" ? "<html>" : '{"groups":"g1"}')));
      const d = make();
      assert.deepEqual(await d.connect(ctx({ connectionId: "a" }), connectBody), { kind: "reject", status: 500 });
      assert.deepEqual(await d.connect(ctx({ connectionId: "b" }), connectBody), { kind: "reject", status: 500 });
    });

    it("rejects with 500 when the handler is unreachable", async () => {
      const dead = new TestHandler();
      await dead.start();
      const url = `${dead.base}/api/{event}`;
      await dead.stop();
      const d = make({ hubs: { chat: allEvents(url) } });
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "reject", status: 500 });
      assert.ok(logs.some((l) => l.includes("ECONNREFUSED")), logs.join("\n"));
    });

    it("rejects with 504 when the handler does not answer in time", async () => {
      handler.setResponder(onPost(() => {})); // never answers
      const d = make({ connectTimeoutMs: 50 });
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "reject", status: 504 });
    });

    it("reports none when no handler takes connect", async () => {
      const d = make({ hubs: { chat: { eventHandlers: [{ urlTemplate: `${handler.base}/{event}`, systemEvents: ["connected"] }] } } });
      assert.deepEqual(await d.connect(ctx(), connectBody), { kind: "none" });
      assert.equal(d.hasConnectHandler("chat"), false);
      assert.equal(handler.requests.length, 0);
    });

    it("matches hub names case-insensitively", async () => {
      const d = make({ hubs: { ChatRoom: allEvents(`${handler.base}/api/{event}`) } });
      assert.deepEqual(await d.connect(ctx({ hub: "chatroom" }), connectBody), { kind: "accept" });
      assert.equal(d.hasConnectHandler("CHATROOM"), true);
    });

    it("reports none for a hub without settings", async () => {
      const d = make();
      assert.deepEqual(await d.connect(ctx({ hub: "other" }), connectBody), { kind: "none" });
    });
  });

  describe("connected and disconnected", () => {
    it("posts connected with an empty JSON object", async () => {
      const d = make();
      d.connected(ctx());
      await handler.waitForRequests(2);
      const post = handler.posts[0];
      assert.equal(post?.headers[CE.type], buildEventType("sys", "connected"));
      assert.deepEqual(JSON.parse(String(post?.body)), {});
    });

    it("posts disconnected with the reason", async () => {
      const d = make();
      d.disconnected(ctx(), "Closed by REST API.");
      await handler.waitForRequests(2);
      const post = handler.posts[0];
      assert.equal(post?.headers[CE.type], buildEventType("sys", "disconnected"));
      assert.deepEqual(JSON.parse(String(post?.body)), { reason: "Closed by REST API." });
    });

    it("sends only the system events a handler lists", async () => {
      const d = make({
        hubs: { chat: { eventHandlers: [{ urlTemplate: `${handler.base}/{event}`, systemEvents: ["disconnected"] }] } },
      });
      d.connected(ctx());
      d.disconnected(ctx(), "bye");
      await handler.waitForRequests(2);
      await d.close();
      assert.deepEqual(handler.posts.map((p) => p.path), ["/disconnected"]);
    });

    it("logs the status of a failed non-blocking event without throwing", async () => {
      handler.setResponder(onPost((_req, res) => {
        res.statusCode = 400;
        res.end();
      }));
      const d = make();
      d.connected(ctx());
      await until(() => logs.some((l) => l.includes("connected") && l.includes(": 400")));
      assert.equal(handler.posts.length, 1, "400 is not retried");
    });
  });

  describe("user events", () => {
    it("round-trips data, content type and connection state", async () => {
      handler.setResponder(onPost((req, res) => {
        res.setHeader("Content-Type", "text/plain; charset=utf-8");
        res.setHeader(CloudEventHeader.connectionState, "bmV3");
        res.end(`echo ${req.body.toString()}`);
      }));
      const d = make();
      const outcome = await d.userEvent(ctx(), "message", Buffer.from("hello"), "text");
      assert.equal(outcome.kind, "ok");
      assert.ok(outcome.kind === "ok");
      assert.equal(Buffer.from(outcome.data ?? []).toString(), "echo hello");
      assert.equal(outcome.contentType, "text/plain; charset=utf-8");
      assert.equal(outcome.connectionState, "bmV3");
    });

    it("sends JSON and binary payloads with their content types, byte for byte", async () => {
      const d = make();
      await d.userEvent(ctx(), "m", Buffer.from('{"a":1}'), "json");
      await d.userEvent(ctx(), "m", new Uint8Array([0, 255, 1]), "binary");
      assert.equal(handler.posts[0]?.headers["content-type"], "application/json; charset=utf-8");
      assert.equal(handler.posts[0]?.body.toString(), '{"a":1}');
      assert.equal(handler.posts[1]?.headers["content-type"], "application/octet-stream");
      assert.deepEqual([...(handler.posts[1]?.body ?? [])], [0, 255, 1]);
    });

    it("returns ok without data for 204 and for an empty 200", async () => {
      const d = make();
      assert.deepEqual(await d.userEvent(ctx(), "m", Buffer.from("x"), "text"), { kind: "ok" });
      handler.setResponder(onPost((_req, res) => {
        res.setHeader("Content-Type", "text/plain");
        res.end();
      }));
      assert.deepEqual(await d.userEvent(ctx(), "m", Buffer.from("x"), "text"), { kind: "ok" });
    });

    it("reports a missing response content type as absent", async () => {
      handler.setResponder(onPost((_req, res) => {
        res.removeHeader("Content-Type");
        res.end(Buffer.from([1, 2]));
      }));
      const d = make();
      const outcome = await d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      assert.ok(outcome.kind === "ok");
      assert.equal(outcome.contentType, undefined);
      assert.deepEqual([...(outcome.data ?? [])], [1, 2]);
    });

    it("fails with the handler's status", async () => {
      handler.setResponder(onPost((_req, res) => {
        res.statusCode = 403;
        res.end();
      }));
      const d = make();
      assert.deepEqual(await d.userEvent(ctx(), "m", Buffer.from("x"), "text"), { kind: "failed", status: 403 });
    });

    it("matches a comma-separated pattern case-insensitively", async () => {
      const d = make({
        hubs: { chat: { eventHandlers: [{ urlTemplate: `${handler.base}/{event}`, userEventPattern: "alpha, Beta" }] } },
      });
      assert.equal((await d.userEvent(ctx(), "beta", Buffer.from("x"), "text")).kind, "ok");
      assert.equal((await d.userEvent(ctx(), "ALPHA", Buffer.from("x"), "text")).kind, "ok");
      assert.deepEqual(await d.userEvent(ctx(), "gamma", Buffer.from("x"), "text"), { kind: "none" });
      assert.equal(d.hasUserEventHandler("chat", "gamma"), false);
      assert.equal(handler.posts.length, 2);
    });

    it("uses the first matching handler", async () => {
      const d = make({
        hubs: {
          chat: {
            eventHandlers: [
              { urlTemplate: `${handler.base}/first/{event}`, userEventPattern: "one" },
              { urlTemplate: `${handler.base}/second/{event}`, userEventPattern: "*" },
              { urlTemplate: `${handler.base}/third/{event}`, userEventPattern: "two" },
            ],
          },
        },
      });
      await d.userEvent(ctx(), "one", Buffer.from("x"), "text");
      await d.userEvent(ctx(), "two", Buffer.from("x"), "text");
      assert.deepEqual(handler.posts.map((p) => p.path), ["/first/one", "/second/two"]);
    });

    it("reports none when no handler has a user event pattern", async () => {
      const d = make({ hubs: { chat: { eventHandlers: [{ urlTemplate: `${handler.base}/{event}`, systemEvents: ["connect"] }] } } });
      assert.deepEqual(await d.userEvent(ctx(), "message", Buffer.from("x"), "text"), { kind: "none" });
    });
  });

  describe("retries", () => {
    it("retries 5xx and succeeds on a later attempt", async () => {
      let calls = 0;
      handler.setResponder(onPost((_req, res) => {
        res.statusCode = ++calls < 3 ? 503 : 200;
        res.end(calls < 3 ? "" : "done");
      }));
      const d = make();
      const outcome = await d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      assert.ok(outcome.kind === "ok");
      assert.equal(Buffer.from(outcome.data ?? []).toString(), "done");
      assert.equal(handler.posts.length, 3);
      assert.ok(logs.some((l) => l.includes("503, retrying")), logs.join("\n"));
    });

    it("retries 408 and gives up after three retries", async () => {
      handler.setResponder(onPost((_req, res) => {
        res.statusCode = 408;
        res.end();
      }));
      const d = make();
      assert.deepEqual(await d.userEvent(ctx(), "m", Buffer.from("x"), "text"), { kind: "failed", status: 408 });
      assert.equal(handler.posts.length, 4);
    });

    it("does not retry 4xx other than 408, nor 429", async () => {
      for (const status of [400, 429]) {
        handler.requests.length = 0;
        handler.setResponder(onPost((_req, res) => {
          res.statusCode = status;
          res.end();
        }));
        const d = make();
        assert.deepEqual(await d.userEvent(ctx(), "m", Buffer.from("x"), "text"), { kind: "failed", status });
        assert.equal(handler.posts.length, 1, String(status));
        await d.close();
      }
    });

    it("retries dropped connections", async () => {
      let calls = 0;
      handler.setResponder(onPost((_req, res) => {
        if (++calls === 1) {
          res.socket?.destroy();
          return;
        }
        res.end();
      }));
      const d = make();
      assert.equal((await d.userEvent(ctx(), "m", Buffer.from("x"), "text")).kind, "ok");
      assert.equal(handler.posts.length, 2);
    });

    it("waits the configured delays between attempts", async () => {
      // Delays go through setTimeout; a huge one would hang the test, so a resolved
      // outcome proves the configured (short) delays are the ones used.
      handler.setResponder(onPost((_req, res) => {
        res.statusCode = 500;
        res.end();
      }));
      const d = make({ retryDelaysMs: [1, 1] });
      assert.deepEqual(await d.userEvent(ctx(), "m", Buffer.from("x"), "text"), { kind: "failed", status: 500 });
      assert.equal(handler.posts.length, 3);
    });
  });

  describe("close", () => {
    it("aborts a request the handler never answers", async () => {
      handler.setResponder(onPost(() => {}));
      const d = make();
      const pending = d.userEvent(ctx(), "m", Buffer.from("x"), "text");
      await handler.waitForRequests(2);
      await d.close();
      assert.deepEqual(await pending, { kind: "failed" });
    });

    it("interrupts a retry wait", async () => {
      handler.setResponder(onPost((_req, res) => {
        res.statusCode = 500;
        res.end();
      }));
      const d = make({ retryDelaysMs: [3_600_000] });
      const pending = d.connect(ctx(), connectBody);
      await handler.waitForRequests(2);
      await until(() => logs.some((l) => l.includes("retrying")));
      await d.close();
      assert.deepEqual(await pending, { kind: "reject", status: 500 });
      assert.equal(handler.posts.length, 1);
    });

    it("drops events after close", async () => {
      const d = make();
      await d.close();
      d.connected(ctx());
      assert.equal((await d.userEvent(ctx(), "m", Buffer.from("x"), "text")).kind, "failed");
      assert.equal(handler.requests.length, 0);
    });
  });

  describe("logs", () => {
    it("writes one line per event and never the key, signature or URL query", async () => {
      const d = make({ hubs: { chat: allEvents(`${handler.base}/api/{event}?code=s3cret`) } });
      await d.connect(ctx(), connectBody);
      await d.userEvent(ctx(), "message", Buffer.from("x"), "text");
      const signature = createHmac("sha256", KEY).update("conn-1").digest("hex");
      const text = logs.join("\n");
      assert.equal(logs.filter((l) => l.includes("chat/conn-1")).length, 2, text);
      assert.ok(logs.some((l) => l.includes("connect") && l.includes("204")), text);
      assert.ok(logs.some((l) => l.includes("validate") && l.includes("ok")), text);
      for (const secret of [KEY, signature, "s3cret"]) assert.ok(!text.includes(secret), `log leaks ${secret}`);
    });
  });

  describe("settings validation", () => {
    it("rejects a relative urlTemplate naming the field", () => {
      assert.throws(
        () => validateHubSettings({ chat: { eventHandlers: [{ urlTemplate: "/api/{event}" }] } }),
        /hubs\.chat\.eventHandlers\[0\]\.urlTemplate is not an absolute URL/,
      );
    });

    it("rejects placeholders in the host", () => {
      assert.throws(
        () => validateHubSettings({ chat: { eventHandlers: [{ urlTemplate: "http://{hub}.example/api" }] } }),
        /placeholders are not allowed in the host/,
      );
    });

    it("rejects unknown system events", () => {
      assert.throws(
        () => validateHubSettings({ chat: { eventHandlers: [{ urlTemplate: "http://x/", systemEvents: ["connect", "joined"] }] } }),
        /hubs\.chat\.eventHandlers\[0\]\.systemEvents\[1\]/,
      );
    });

    it("rejects unknown fields, naming them", () => {
      assert.throws(
        () => validateHubSettings({ chat: { eventHandlers: [{ urlTemplate: "http://x/", auth: { type: "None" } }] } }),
        /hubs\.chat\.eventHandlers\[0\]\.auth is not supported/,
      );
      assert.throws(() => validateHubSettings({ chat: { eventHandler: [] } }), /hubs\.chat\.eventHandler is not supported/);
    });

    it("rejects hub names that differ only in case", () => {
      assert.throws(() => validateHubSettings({ chat: {}, Chat: {} }), /listed twice/);
    });

    it("rejects invalid hub names", () => {
      assert.throws(() => validateHubSettings({ "1chat": {} }), /not a valid hub name/);
    });

    it("fails in the constructor, before any event", () => {
      assert.throws(
        () => new UpstreamDispatcher({ accessKey: KEY, hubs: { chat: { eventHandlers: [{ urlTemplate: "ftp://x/" }] } } }),
        /must use http or https/,
      );
    });
  });

  describe("interop with @azure/web-pubsub-express 1.1.0", () => {
    type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
    let express: Server;
    let base: string;

    async function serve(middleware: Middleware): Promise<void> {
      // The middleware reads only req.baseUrl and req.path from Express; a plain node:http server is enough.
      express = createServer((req, res) => {
        const path = new URL(req.url ?? "/", "http://x").pathname;
        Object.assign(req, { baseUrl: "", path });
        middleware(req, res, () => {
          res.statusCode = 404;
          res.end();
        });
      });
      await new Promise<void>((resolve) => express.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(express.address() as AddressInfo).port}`;
    }

    afterEach(async () => {
      await dispatcher?.close();
      express.closeAllConnections();
      await new Promise<void>((resolve) => express.close(() => resolve()));
    });

    it("fires its connect, connected, user-event and disconnected handlers with our data", async () => {
      const seen: Record<string, unknown> = {};
      let resolveDisconnected!: () => void;
      const disconnected = new Promise<void>((r) => (resolveDisconnected = r));
      const wps = new WebPubSubEventHandler("Chat", {
        handleConnect(req, res) {
          seen["connect"] = { claims: req.claims, queries: req.queries, subprotocols: req.subprotocols, ctx: req.context };
          res.setState("room", "lobby");
          res.success({ userId: "u2", groups: ["g1"] });
        },
        onConnected(req) {
          seen["connected"] = req.context.userId;
        },
        handleUserEvent(req, res) {
          seen["user"] = { data: req.data, dataType: req.dataType, states: req.context.states, event: req.context.eventName };
          res.success(`echo ${String(req.data)}`, "text");
        },
        onDisconnected(req) {
          seen["disconnected"] = req.reason;
          resolveDisconnected();
        },
      });
      await serve(wps.getMiddleware() as Middleware);
      const d = make({ hubs: { chat: allEvents(`${base}/api/webpubsub/hubs/{hub}/{event}`) } });

      const accepted = await d.connect(ctx({ userId: "u1" }), connectBody);
      assert.ok(accepted.kind === "accept");
      assert.equal(accepted.userId, "u2");
      assert.deepEqual(accepted.groups, ["g1"]);
      assert.ok(accepted.connectionState);
      assert.deepEqual(JSON.parse(Buffer.from(accepted.connectionState, "base64").toString()), { room: "lobby" });
      const connect = seen["connect"] as { claims: unknown; queries: unknown; subprotocols: unknown; ctx: Record<string, unknown> };
      assert.deepEqual(connect.claims, connectBody.claims);
      assert.deepEqual(connect.queries, connectBody.query);
      assert.deepEqual(connect.subprotocols, connectBody.subprotocols);
      assert.equal(connect.ctx["hub"], "chat");
      assert.equal(connect.ctx["connectionId"], "conn-1");
      assert.equal(connect.ctx["userId"], "u1");
      assert.equal(connect.ctx["origin"], "localhost:8080");

      const after = ctx({ userId: "u2", connectionState: accepted.connectionState });
      d.connected(after);
      const reply = await d.userEvent(after, "sayHi", Buffer.from("hi"), "text");
      assert.ok(reply.kind === "ok");
      assert.equal(Buffer.from(reply.data ?? []).toString(), "echo hi");
      assert.match(reply.contentType ?? "", /^text\/plain/);
      assert.deepEqual(seen["user"], { data: "hi", dataType: "text", states: { room: "lobby" }, event: "sayHi" });

      d.disconnected(after, "bye");
      await disconnected;
      assert.equal(seen["connected"], "u2");
      assert.equal(seen["disconnected"], "bye");
    });

    it("passes its validation when allowedEndpoints names our host", async () => {
      const wps = new WebPubSubEventHandler("chat", {
        allowedEndpoints: ["http://localhost:8080", "https://other.example"],
        handleUserEvent: (_req, res) => res.success(),
      });
      await serve(wps.getMiddleware() as Middleware);
      const d = make({ hubs: { chat: allEvents(`${base}/api/webpubsub/hubs/{hub}/{event}`) } });
      assert.equal((await d.userEvent(ctx(), "m", Buffer.from("{}"), "json")).kind, "ok");
      assert.equal((await d.userEvent(ctx({ origin: "evil.example" }), "m", Buffer.from("{}"), "json")).kind, "failed");
    });

    it("hands JSON and binary data to its handler typed", async () => {
      const received: unknown[] = [];
      const wps = new WebPubSubEventHandler("chat", {
        handleUserEvent(req, res) {
          received.push([req.dataType, req.dataType === "binary" ? [...new Uint8Array(req.data as ArrayBuffer)] : req.data]);
          res.success();
        },
      });
      await serve(wps.getMiddleware() as Middleware);
      const d = make({ hubs: { chat: allEvents(`${base}/api/webpubsub/hubs/{hub}/{event}`) } });
      await d.userEvent(ctx(), "m", Buffer.from('{"a":[1]}'), "json");
      await d.userEvent(ctx(), "m", new Uint8Array([7, 8]), "binary");
      assert.deepEqual(received, [
        ["json", { a: [1] }],
        ["binary", [7, 8]],
      ]);
    });
  });
});
