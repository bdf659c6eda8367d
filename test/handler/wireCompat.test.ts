// Wire compatibility with @azure/web-pubsub-express 1.1.0: for the same recorded requests and the
// same callbacks, both handlers (each as Express middleware) answer with the same status, headers
// and body. The callbacks are typed with the official options, so they also show that code
// written for it compiles against ours.
//
// Intentional differences (each has its own test below):
//  1. ce-signature: ours refuses a missing, forged or stale signature with 401 before any
//     callback; the official handler never checks it.
//  2. allowedEndpoints: ours answers the probe with the one requesting origin, and refuses an
//     origin outside the list with 400 (also on events); the official handler answers 200 with
//     every allowed host as a multi-value header, and takes events from any origin.
//  3. Error bodies: where both refuse (probe without WebHook-Request-Origin), ours adds a JSON
//     {code, message} body; the official body is empty.
//  4. Malformed input (invalid JSON, wrong shapes, undecodable text, bad ce-connectionState,
//     missing ce-connectionId, oversized bodies): ours answers a 4xx with a JSON body before any
//     callback; the official handler throws into Express (500 HTML page), reads states as {}, or
//     calls back with what it got.
//  5. Path: ours matches the configured path exactly; the official handler takes any path that
//     starts with it (azure-webpubsub #147).
//  6. Body parsers: ours uses req.body when express.json() ran first; the official handler waits
//     for a stream that already ended, and never answers.
//  7. Not compared here, not on the wire: binary request data is an ArrayBuffer (official: a
//     Buffer); reply data may be an ArrayBuffer, a typed array or (json) any value (official:
//     res.end() throws on an ArrayBuffer); a callback that throws gets a 500 JSON answer
//     (official: Express's error page); non-blocking events are answered after their body is
//     checked (official: before it is read).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { WebPubSubEventHandler as Official, type WebPubSubEventHandlerOptions as OfficialOptions } from "@azure/web-pubsub-express";
import { WebPubSubEventHandler } from "../../src/handler/index.js";
import { eventParts, KEY, ORIGIN, OTHER_KEY, PATH, type EventSpec } from "./support.js";
import { AbuseProtectionHeader, CloudEventHeader, EVENT_TYPE_PREFIX } from "../../src/core/index.js";

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A recorded request: an event (signed with KEY) or a raw probe. */
type Recorded = { event: EventSpec } | { method: string; path?: string; headers: Record<string, string> };

// Headers that differ between any two responses (time, connection reuse).
const VOLATILE = new Set(["date", "connection", "keep-alive"]);

async function send(base: string, recorded: Recorded, signal?: AbortSignal): Promise<Answer> {
  let init: RequestInit;
  let path: string;
  if ("event" in recorded) {
    const { headers, body } = await eventParts(recorded.event);
    init = { method: "POST", headers, body: body as BodyInit };
    path = recorded.event.path ?? PATH;
  } else {
    init = { method: recorded.method, headers: recorded.headers };
    path = recorded.path ?? PATH;
  }
  const res = await fetch(new URL(path, base), signal ? { ...init, signal } : init);
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!VOLATILE.has(name)) headers[name] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

interface Pair {
  ours: string;
  theirs: string;
  close(): Promise<void>;
}

async function listen(app: express.Express): Promise<{ base: string; server: Server }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Both handlers with the same callbacks, each behind Express with a 404 fallback. */
async function pair(options: OfficialOptions, before: express.RequestHandler[] = []): Promise<Pair> {
  const fallback: express.RequestHandler = (_req, res) => void res.status(404).send("fell through");
  const build = (middleware: express.RequestHandler) => {
    const app = express();
    app.set("env", "test"); // Express prints the official handler's throws to stderr otherwise
    for (const mw of before) app.use(mw);
    app.use(middleware);
    app.use(fallback);
    return app;
  };
  const ours = await listen(build(new WebPubSubEventHandler("chat", { ...options, accessKeys: [KEY], onLog: () => {} }).getMiddleware()));
  const theirs = await listen(build(new Official("chat", options).getMiddleware()));
  return {
    ours: ours.base,
    theirs: theirs.base,
    close: async () => {
      for (const { server } of [ours, theirs]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

const connectBody = { claims: { sub: ["u1"] }, query: { a: ["1"] }, headers: { Host: ["x"] }, subprotocols: ["json.webpubsub.azure.v1"], clientCertificates: [] };
const mqttHeaders = { [CloudEventHeader.subprotocol]: "mqtt", [CloudEventHeader.physicalConnectionId]: "p1", [CloudEventHeader.sessionId]: "s1" };
const mqttConnect = (protocolVersion: number) => ({ ...connectBody, subprotocols: ["mqtt"], mqtt: { protocolVersion, username: "u" } });

const callbacks: OfficialOptions = {
  handleConnect(req, res) {
    const mode = req.queries?.["mode"]?.[0] ?? req.claims?.["mode"]?.[0];
    if (mode === "reject") return res.fail(401, "not you");
    if (mode === "fail500") return res.fail(500);
    if (mode === "mqtt-code") return res.failWith({ mqtt: { code: 0x8a, reason: "banned" } });
    if (mode === "http-code") return res.failWith({ code: 400, detail: "bad" });
    if (mode === "defaults") return res.success();
    res.setState("user", req.claims?.["sub"]?.[0]);
    res.success({ userId: "alice", groups: ["g1", "g2"], roles: ["webpubsub.joinLeaveGroup"], subprotocol: "json.webpubsub.azure.v1" });
  },
  handleUserEvent(req, res) {
    switch (req.context.eventName) {
      case "text":
        return res.success(`text:${String(req.data)}`, "text");
      case "json":
        return res.success(JSON.stringify({ got: req.data, states: req.context.states }), "json");
      case "binary":
        return res.success(`${req.dataType}:${Buffer.from(req.data as ArrayBuffer).toString("hex")}`);
      case "state":
        res.setState("seen", (req.context.states["seen"] ?? 0) + 1);
        return res.success();
      case "nothing":
        return res.success();
      default:
        return res.fail(400, `no ${req.context.eventName}`);
    }
  },
  onConnected: () => {},
  onDisconnected: () => {},
  onGroupJoined: () => {},
  onGroupLeft: () => {},
};

const equalCases: [string, Recorded][] = [
  ["validation probe", { method: "OPTIONS", headers: { [CloudEventHeader.awpsVersion]: "1.0", [AbuseProtectionHeader.requestOrigin]: ORIGIN } }],
  ["connect accepted with userId, groups, roles, subprotocol and state", { event: { event: "connect", body: connectBody } }],
  ["connect with token defaults (204)", { event: { event: "connect", body: { ...connectBody, query: { mode: ["defaults"] } } } }],
  ["connect refused with 401 and a detail", { event: { event: "connect", body: { ...connectBody, query: { mode: ["reject"] } } } }],
  ["connect refused with 500 and no detail", { event: { event: "connect", body: { ...connectBody, query: { mode: ["fail500"] } } } }],
  ["connect failWith an HTTP code", { event: { event: "connect", body: { ...connectBody, query: { mode: ["http-code"] } } } }],
  ["MQTT 5 connect refused (mapped code)", { event: { event: "connect", headers: mqttHeaders, body: { ...mqttConnect(5), query: { mode: ["reject"] } } } }],
  ["MQTT 3.1.1 connect refused (mapped code)", { event: { event: "connect", headers: mqttHeaders, body: { ...mqttConnect(4), query: { mode: ["reject"] } } } }],
  ["MQTT connect failWith an MQTT code", { event: { event: "connect", headers: mqttHeaders, body: { ...mqttConnect(5), query: { mode: ["mqtt-code"] } } } }],
  ["connected", { event: { event: "connected" } }],
  ["disconnected with a reason", { event: { event: "disconnected", body: { reason: "bye" } } }],
  ["MQTT disconnected", { event: { event: "disconnected", headers: mqttHeaders, body: { reason: "x", mqtt: { initiatedByClient: false, disconnectPacket: { code: 0 } } } } }],
  ["group joined", { event: { event: "gp.joined", body: { group: "g" } } }],
  ["group left", { event: { event: "gp.left", body: { group: "g" } } }],
  ["text user event with a text reply", { event: { event: "text", body: "héllo", contentType: "text/plain; charset=utf-8" } }],
  ["JSON user event with a JSON reply and states", { event: { event: "json", body: '{"a":[1,"b"]}', contentType: "application/json", states: { k: "v" } } }],
  ["binary user event with a binary reply", { event: { event: "binary", body: new Uint8Array([0, 1, 254, 255]), contentType: "application/octet-stream" } }],
  ["user event that sets state", { event: { event: "state", body: "x", states: { seen: 1 } } }],
  ["user event with an empty success", { event: { event: "nothing", body: "x" } }],
  ["user event failed with 400", { event: { event: "other", body: "x" } }],
  ["another hub (falls through)", { event: { event: "connected", hub: "elsewhere" } }],
  ["unknown ce-type (falls through)", { event: { event: "connected", headers: { [CloudEventHeader.type]: `${EVENT_TYPE_PREFIX}sys.reboot` } } }],
  ["user event of another content type (falls through)", { event: { event: "text", body: "<x/>", contentType: "application/xml" } }],
  ["no ce-awpsversion (falls through)", { event: { event: "connected", headers: { [CloudEventHeader.awpsVersion]: undefined } } }],
  ["no WebHook-Request-Origin (falls through)", { event: { event: "connected", headers: { [AbuseProtectionHeader.requestOrigin]: undefined } } }],
  ["GET (falls through)", { method: "GET", headers: { [CloudEventHeader.awpsVersion]: "1.0" } }],
];

describe("wire compatibility with @azure/web-pubsub-express 1.1.0", () => {
  let both: Pair;
  before(async () => {
    both = await pair(callbacks);
  });
  after(() => both.close());

  for (const [name, recorded] of equalCases) {
    it(`answers the same: ${name}`, async () => {
      const [ours, theirs] = [await send(both.ours, recorded), await send(both.theirs, recorded)];
      assert.deepEqual(ours, theirs);
    });
  }

  it("answers the same without callbacks: 200 empty, 204 for MQTT connect", async () => {
    const bare = await pair({});
    try {
      for (const recorded of [
        { event: { event: "connect", body: connectBody } },
        { event: { event: "connect", headers: mqttHeaders, body: mqttConnect(4) } },
        { event: { event: "message", body: "x" } },
        { event: { event: "disconnected", body: {} } },
      ]) {
        const [ours, theirs] = [await send(bare.ours, recorded), await send(bare.theirs, recorded)];
        assert.deepEqual(ours, theirs, JSON.stringify(recorded));
      }
    } finally {
      await bare.close();
    }
  });

  it("answers the same to the probe with one allowed endpoint", async () => {
    const limited = await pair({ allowedEndpoints: [`https://${ORIGIN}`] });
    try {
      const probe: Recorded = { method: "OPTIONS", headers: { [CloudEventHeader.awpsVersion]: "1.0", [AbuseProtectionHeader.requestOrigin]: ORIGIN } };
      const [ours, theirs] = [await send(limited.ours, probe), await send(limited.theirs, probe)];
      assert.deepEqual(ours, theirs);
      assert.equal(ours.headers["webhook-allowed-origin"], ORIGIN);
    } finally {
      await limited.close();
    }
  });

  describe("documented differences", () => {
    it("1. refuses missing, forged and stale signatures with 401; the official handler calls back", async () => {
      for (const event of [
        { event: "connect", body: connectBody, signWith: [] },
        { event: "connect", body: connectBody, headers: { [CloudEventHeader.signature]: `sha256=${"0".repeat(64)}` } },
        { event: "connect", body: connectBody, signWith: [OTHER_KEY] },
      ]) {
        const [ours, theirs] = [await send(both.ours, { event }), await send(both.theirs, { event })];
        assert.equal(ours.status, 401);
        assert.equal(JSON.parse(ours.body).code, "WPS_ERR_EVENT_SIGNATURE");
        assert.equal(theirs.status, 200);
      }
    });

    it("2. answers the probe with the one requesting origin and refuses others; the official sends the whole list", async () => {
      const limited = await pair({ allowedEndpoints: [`https://${ORIGIN}`, "https://second.webpubsub.azure.com"] });
      try {
        const probe = (origin: string): Recorded => ({ method: "OPTIONS", headers: { [CloudEventHeader.awpsVersion]: "1.0", [AbuseProtectionHeader.requestOrigin]: origin } });
        assert.equal((await send(limited.ours, probe(ORIGIN))).headers["webhook-allowed-origin"], ORIGIN);
        assert.equal((await send(limited.theirs, probe(ORIGIN))).headers["webhook-allowed-origin"], `${ORIGIN}, second.webpubsub.azure.com`);
        assert.equal((await send(limited.ours, probe("evil.example"))).status, 400);
        assert.equal((await send(limited.theirs, probe("evil.example"))).status, 200);
        const event: Recorded = { event: { event: "connect", body: connectBody, headers: { [AbuseProtectionHeader.requestOrigin]: "evil.example" } } };
        assert.equal((await send(limited.ours, event)).status, 400);
        assert.equal((await send(limited.theirs, event)).status, 200);
      } finally {
        await limited.close();
      }
    });

    it("3. adds a JSON body to the 400 for a probe without WebHook-Request-Origin", async () => {
      const probe: Recorded = { method: "OPTIONS", headers: { [CloudEventHeader.awpsVersion]: "1.0" } };
      const [ours, theirs] = [await send(both.ours, probe), await send(both.theirs, probe)];
      assert.equal(ours.status, 400);
      assert.equal(theirs.status, 400);
      assert.equal(JSON.parse(ours.body).code, "WPS_ERR_EVENT_HEADER");
      assert.equal(theirs.body, "");
    });

    it("4. answers malformed input with a JSON 4xx; the official handler throws, guesses or calls back", async () => {
      const invalidJson: Recorded = { event: { event: "connect", body: "{nope", contentType: "application/json" } };
      const [ours, theirs] = [await send(both.ours, invalidJson), await send(both.theirs, invalidJson)];
      assert.equal(ours.status, 400);
      assert.equal(JSON.parse(ours.body).code, "WPS_ERR_EVENT_BODY");
      assert.equal(theirs.status, 500);
      assert.match(theirs.headers["content-type"] ?? "", /text\/html/);

      const badState: Recorded = { event: { event: "json", body: "{}", contentType: "application/json", headers: { [CloudEventHeader.connectionState]: "not-base64!" } } };
      assert.equal((await send(both.ours, badState)).status, 400);
      const warn = console.warn;
      console.warn = () => {}; // the official handler warns "Unexpected state format" and goes on
      try {
        assert.deepEqual(JSON.parse((await send(both.theirs, badState)).body), { got: {}, states: {} });
      } finally {
        console.warn = warn;
      }

      const noConnectionId: Recorded = { event: { event: "text", body: "x", headers: { [CloudEventHeader.connectionId]: undefined } } };
      assert.equal((await send(both.ours, noConnectionId)).status, 400);
      assert.equal((await send(both.theirs, noConnectionId)).status, 200);
    });

    it("5. matches the path exactly; the official handler takes any longer path", async () => {
      const longer: Recorded = { event: { event: "connected", path: `${PATH}anything/else` } };
      assert.equal((await send(both.ours, longer)).body, "fell through");
      assert.equal((await send(both.theirs, longer)).status, 200);
    });

    it("6. answers after express.json(); the official handler never does", async () => {
      const parsed = await pair(callbacks, [express.json()]);
      try {
        const event: Recorded = { event: { event: "json", body: '{"a":1}', contentType: "application/json" } };
        const ours = await send(parsed.ours, event);
        assert.equal(ours.status, 200);
        assert.deepEqual(JSON.parse(ours.body), { got: { a: 1 }, states: {} });
        await assert.rejects(send(parsed.theirs, event, AbortSignal.timeout(300)), { name: "TimeoutError" });
      } finally {
        await parsed.close();
      }
    });
  });
});
