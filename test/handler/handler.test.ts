// The Fetch core driven with plain `new Request(...)`: no socket, no service.
import assert from "node:assert/strict";
import { AbuseProtectionHeader, CloudEventHeader, decodeConnectionState, EVENT_TYPE_PREFIX } from "../../src/core/index.js";
import {
  MqttV311ConnectReturnCode,
  MqttV500ConnectReasonCode,
  WebPubSubEventHandler,
  type ConnectRequest,
  type DisconnectedRequest,
  type GroupJoinedRequest,
  type MqttConnectRequest,
  type UserEventRequest,
  type WebPubSubEventHandlerOptions,
} from "../../src/handler/index.js";
import { errorCode, eventRequest, HUB, KEY, ORIGIN, OTHER_KEY, PATH, tick, validationRequest } from "./support.js";

const make = (options: WebPubSubEventHandlerOptions = {}) => new WebPubSubEventHandler(HUB, { accessKeys: [KEY], ...options });

/** A handler whose every callback records its request, and fails the test if called when `forbid` is set. */
function recording(extra: WebPubSubEventHandlerOptions = {}) {
  const calls: { name: string; request: unknown }[] = [];
  const handler = make({
    handleConnect: (request, res) => (calls.push({ name: "connect", request }), res.success()),
    handleUserEvent: (request, res) => (calls.push({ name: "user", request }), res.success()),
    onConnected: (request) => void calls.push({ name: "connected", request }),
    onDisconnected: (request) => void calls.push({ name: "disconnected", request }),
    onGroupJoined: (request) => void calls.push({ name: "joined", request }),
    onGroupLeft: (request) => void calls.push({ name: "left", request }),
    ...extra,
  });
  return { handler, calls };
}

describe("handler core (Fetch Request -> Response)", () => {
  describe("abuse protection", () => {
    it("allows any origin with a single '*' by default", async () => {
      const res = await make().handle(validationRequest());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get(AbuseProtectionHeader.allowedOrigin), "*");
    });

    it("answers an allowed origin with that one host, not the whole list", async () => {
      const handler = make({ allowedEndpoints: ["https://other.webpubsub.azure.com", `https://${ORIGIN}`] });
      const res = await handler.handle(validationRequest());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get(AbuseProtectionHeader.allowedOrigin), ORIGIN);
    });

    it("refuses an origin outside allowedEndpoints with 400", async () => {
      const handler = make({ allowedEndpoints: ["https://other.webpubsub.azure.com"] });
      const res = await handler.handle(validationRequest());
      assert.equal(res.status, 400);
      assert.equal(res.headers.get(AbuseProtectionHeader.allowedOrigin), null);
      assert.equal(await errorCode(res), "WPS_ERR_EVENT_ORIGIN");
    });

    it("answers 400 when WebHook-Request-Origin is missing", async () => {
      const res = await make().handle(validationRequest(null));
      assert.equal(res.status, 400);
      assert.equal(await errorCode(res), "WPS_ERR_EVENT_HEADER");
    });

    it("refuses events from an origin outside allowedEndpoints before any callback", async () => {
      const { handler, calls } = recording({ allowedEndpoints: ["https://other.webpubsub.azure.com"] });
      const res = await handler.handle(await eventRequest({ event: "connect" }));
      assert.equal(res.status, 400);
      assert.equal(await errorCode(res), "WPS_ERR_EVENT_ORIGIN");
      assert.deepEqual(calls, []);
    });
  });

  describe("connect", () => {
    const body = {
      claims: { sub: ["u1"], role: ["webpubsub.joinLeaveGroup"] },
      query: { room: ["lobby"] },
      headers: { "User-Agent": ["test"] },
      subprotocols: ["json.webpubsub.azure.v1", "custom"],
      clientCertificates: [{ thumbprint: "ABC", content: "-----BEGIN CERTIFICATE-----" }],
    };

    it("passes claims, query (also as queries), headers, subprotocols, certificates and the context", async () => {
      let seen: ConnectRequest | undefined;
      const handler = make({ handleConnect: (req, res) => ((seen = req), res.success()) });
      const res = await handler.handle(await eventRequest({ event: "connect", body, userId: "u1", connectionId: "c-9", states: { a: 1 } }));
      assert.equal(res.status, 204);
      assert.deepEqual(seen!.claims, body.claims);
      assert.deepEqual(seen!.query, body.query);
      assert.deepEqual(seen!.queries, body.query);
      assert.deepEqual(seen!.headers, body.headers);
      assert.deepEqual(seen!.subprotocols, body.subprotocols);
      assert.deepEqual(seen!.clientCertificates, body.clientCertificates);
      const { signature, ...context } = seen!.context;
      assert.match(signature, /^sha256=[0-9a-f]{64}$/);
      assert.deepEqual(context, { hub: HUB, connectionId: "c-9", eventName: "connect", origin: ORIGIN, userId: "u1", states: { a: 1 }, clientProtocol: "default" });
    });

    it("replies 200 with userId, groups, roles and subprotocol as JSON", async () => {
      const reply = { userId: "alice", groups: ["g1"], roles: ["webpubsub.sendToGroup.g1"], subprotocol: "custom" };
      const handler = make({ handleConnect: (_req, res) => res.success(reply) });
      const res = await handler.handle(await eventRequest({ event: "connect", body }));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
      assert.deepEqual(await res.json(), reply);
    });

    it("sends the state set with setState as ce-connectionState", async () => {
      const handler = make({ handleConnect: (_req, res) => (res.setState("room", "lobby"), res.success({ userId: "u" })) });
      const res = await handler.handle(await eventRequest({ event: "connect", body, states: { kept: true } }));
      assert.deepEqual(decodeConnectionState(res.headers.get(CloudEventHeader.connectionState)), { kept: true, room: "lobby" });
    });

    for (const code of [400, 401, 500] as const) {
      it(`fails with ${code} and the detail as the body`, async () => {
        const handler = make({ handleConnect: (_req, res) => res.fail(code, "no entry") });
        const res = await handler.handle(await eventRequest({ event: "connect", body }));
        assert.equal(res.status, code);
        assert.equal(await res.text(), "no entry");
      });
    }

    it("works with reply methods called detached, as the official handler's do", async () => {
      const handler = make({ handleConnect: (_req, { setState, success }) => (setState("k", 1), success({ userId: "d" })) });
      const res = await handler.handle(await eventRequest({ event: "connect", body }));
      assert.deepEqual(await res.json(), { userId: "d" });
      assert.deepEqual(decodeConnectionState(res.headers.get(CloudEventHeader.connectionState)), { k: 1 });
      const user = make({ handleUserEvent: (_req, { success }) => success("ok", "text") });
      assert.equal(await (await user.handle(await eventRequest({ event: "message", body: "x" }))).text(), "ok");
    });

    it("keeps the first answer when a callback answers twice", async () => {
      const handler = make({ handleConnect: (_req, res) => (res.fail(401, "first"), res.success({ userId: "x" })) });
      const res = await handler.handle(await eventRequest({ event: "connect", body }));
      assert.equal(res.status, 401);
    });

    it("waits for an asynchronous answer", async () => {
      const handler = make({ handleConnect: (_req, res) => void setTimeout(() => res.success({ userId: "late" }), 10) });
      const res = await handler.handle(await eventRequest({ event: "connect", body }));
      assert.deepEqual(await res.json(), { userId: "late" });
    });

    it("answers 200 with no body when there is no handleConnect, as the official handler", async () => {
      const res = await make({}).handle(await eventRequest({ event: "connect", body }));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "");
    });
  });

  describe("MQTT", () => {
    const mqttHeaders = { [CloudEventHeader.physicalConnectionId]: "phys-1", [CloudEventHeader.sessionId]: "sess-1" };
    const connectBody = (protocolVersion: number) => ({ claims: {}, query: {}, headers: {}, subprotocols: ["mqtt"], mqtt: { protocolVersion, username: "u", password: "cA==" } });

    it("marks the context as mqtt and passes the CONNECT fields", async () => {
      let seen: MqttConnectRequest | undefined;
      const handler = make({ handleConnect: (req, res) => ((seen = req as MqttConnectRequest), res.success()) });
      await handler.handle(await eventRequest({ event: "connect", subprotocol: "mqtt", headers: mqttHeaders, body: connectBody(5) }));
      assert.equal(seen!.context.clientProtocol, "mqtt");
      assert.deepEqual(seen!.context.mqtt, { physicalConnectionId: "phys-1", sessionId: "sess-1" });
      assert.deepEqual(seen!.mqtt, { protocolVersion: 5, username: "u", password: "cA==" });
    });

    it("maps fail(401) to MQTT 5 NotAuthorized and MQTT 3.1.1 NotAuthorized", async () => {
      const handler = make({ handleConnect: (_req, res) => res.fail(401, "who?") });
      const v5 = await handler.handle(await eventRequest({ event: "connect", subprotocol: "mqtt", headers: mqttHeaders, body: connectBody(5) }));
      assert.equal(v5.status, 401);
      assert.deepEqual(await v5.json(), { mqtt: { code: MqttV500ConnectReasonCode.NotAuthorized, reason: "who?" } });
      const v4 = await handler.handle(await eventRequest({ event: "connect", subprotocol: "mqtt", headers: mqttHeaders, body: connectBody(4) }));
      assert.deepEqual(await v4.json(), { mqtt: { code: MqttV311ConnectReturnCode.NotAuthorized, reason: "who?" } });
    });

    it("maps failWith MQTT codes to HTTP statuses", async () => {
      const cases: [number, number][] = [
        [MqttV500ConnectReasonCode.Banned, 403],
        [MqttV500ConnectReasonCode.QuotaExceeded, 429],
        [MqttV311ConnectReturnCode.ServerUnavailable, 503],
        [MqttV311ConnectReturnCode.IdentifierRejected, 400],
        [MqttV500ConnectReasonCode.BadUserNameOrPassword, 401],
      ];
      for (const [code, status] of cases) {
        const handler = make({ handleConnect: (_req, res) => res.failWith({ mqtt: { code: code as MqttV311ConnectReturnCode, reason: "r" } }) });
        const res = await handler.handle(await eventRequest({ event: "connect", subprotocol: "mqtt", headers: mqttHeaders, body: connectBody(5) }));
        assert.equal(res.status, status, `code ${code}`);
        assert.deepEqual(await res.json(), { mqtt: { code, reason: "r" } });
      }
    });

    it("answers 204 to an MQTT connect when there is no handleConnect", async () => {
      const res = await make({}).handle(await eventRequest({ event: "connect", subprotocol: "mqtt", headers: mqttHeaders, body: connectBody(4) }));
      assert.equal(res.status, 204);
    });

    it("passes the MQTT disconnect packet to onDisconnected", async () => {
      let seen: DisconnectedRequest | undefined;
      const handler = make({ onDisconnected: (req) => void (seen = req) });
      const mqtt = { initiatedByClient: true, disconnectPacket: { code: 0, userProperties: [{ name: "a", value: "b" }] } };
      const res = await handler.handle(await eventRequest({ event: "disconnected", subprotocol: "mqtt", headers: mqttHeaders, body: { reason: "bye", mqtt } }));
      assert.equal(res.status, 200);
      assert.equal(seen!.reason, "bye");
      assert.deepEqual((seen as DisconnectedRequest & { mqtt: unknown }).mqtt, mqtt);
    });

    it("refuses an MQTT connect without mqtt.protocolVersion", async () => {
      const { handler, calls } = recording();
      const res = await handler.handle(await eventRequest({ event: "connect", subprotocol: "mqtt", headers: mqttHeaders, body: { claims: {} } }));
      assert.equal(res.status, 400);
      assert.deepEqual(calls, []);
    });
  });

  describe("non-blocking events", () => {
    it("answers connected with 200 and calls onConnected with the context", async () => {
      const { handler, calls } = recording();
      const res = await handler.handle(await eventRequest({ event: "connected", userId: "u1" }));
      assert.equal(res.status, 200);
      assert.equal(calls[0]!.name, "connected");
      assert.equal((calls[0]!.request as { context: { userId: string } }).context.userId, "u1");
    });

    it("passes the disconnect reason", async () => {
      const { handler, calls } = recording();
      await handler.handle(await eventRequest({ event: "disconnected", body: { reason: "closed by server" } }));
      assert.equal((calls[0]!.request as DisconnectedRequest).reason, "closed by server");
    });

    it("passes group presence events (azure.webpubsub.gp.joined / gp.left) with the group", async () => {
      const { handler, calls } = recording();
      await handler.handle(await eventRequest({ event: "gp.joined", body: { group: "room" } }));
      await handler.handle(await eventRequest({ event: "gp.left", body: { group: "room" } }));
      assert.deepEqual(calls.map((c) => [c.name, (c.request as GroupJoinedRequest).group]), [["joined", "room"], ["left", "room"]]);
    });

    it("still answers 200 when a non-blocking callback throws, and logs it", async () => {
      const logged: string[] = [];
      const handler = make({ onConnected: () => { throw new Error("boom"); }, onLog: (_level, message) => void logged.push(message) });
      const res = await handler.handle(await eventRequest({ event: "connected" }));
      assert.equal(res.status, 200);
      assert.deepEqual(logged, ["onConnected failed"]);
    });
  });

  describe("user events", () => {
    it("decodes text, JSON and binary bodies by Content-Type", async () => {
      const { handler, calls } = recording();
      await handler.handle(await eventRequest({ event: "message", body: "héllo", contentType: "text/plain; charset=utf-8" }));
      await handler.handle(await eventRequest({ event: "message", body: '{"a":[1,2]}', contentType: "application/json" }));
      await handler.handle(await eventRequest({ event: "message", body: new Uint8Array([0, 1, 255]), contentType: "application/octet-stream" }));
      const got = calls.map((c) => c.request as UserEventRequest);
      assert.deepEqual(got.map((r) => r.dataType), ["text", "json", "binary"]);
      assert.equal(got[0]!.data, "héllo");
      assert.deepEqual(got[1]!.data, { a: [1, 2] });
      assert.ok(got[2]!.data instanceof ArrayBuffer);
      assert.deepEqual([...new Uint8Array(got[2]!.data as ArrayBuffer)], [0, 1, 255]);
      assert.equal(got[0]!.context.eventName, "message");
    });

    it("replies with the data and the Content-Type of its dataType", async () => {
      const cases = [
        { reply: ["hi", "text"], type: "text/plain; charset=utf-8", body: "hi" },
        { reply: ['{"x":1}', "json"], type: "application/json; charset=utf-8", body: '{"x":1}' },
        { reply: [{ x: 1 }, "json"], type: "application/json; charset=utf-8", body: '{"x":1}' },
        { reply: [new Uint8Array([104, 105])], type: "application/octet-stream", body: "hi" },
      ] as const;
      for (const c of cases) {
        const handler = make({ handleUserEvent: (_req, res) => res.success(...(c.reply as unknown as [string, "text"])) });
        const res = await handler.handle(await eventRequest({ event: "message", body: "x" }));
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), c.type);
        assert.equal(await res.text(), c.body);
      }
    });

    it("reads the connection state and sends back what setState changed", async () => {
      let seenStates: unknown;
      const handler = make({
        handleUserEvent: (req, res) => {
          seenStates = { ...req.context.states };
          res.setState("count", (req.context.states["count"] as number) + 1);
          res.success();
        },
      });
      const res = await handler.handle(await eventRequest({ event: "message", body: "x", states: { count: 1, name: "n" } }));
      assert.deepEqual(seenStates, { count: 1, name: "n" });
      assert.deepEqual(decodeConnectionState(res.headers.get(CloudEventHeader.connectionState)), { count: 2, name: "n" });
    });

    it("fails with the given status and detail", async () => {
      const handler = make({ handleUserEvent: (_req, res) => res.fail(400, "bad input") });
      const res = await handler.handle(await eventRequest({ event: "message", body: "x" }));
      assert.equal(res.status, 400);
      assert.equal(await res.text(), "bad input");
    });

    it("answers 415 to a user event of another content type, without calling back", async () => {
      const { handler, calls } = recording();
      const res = await handler.handle(await eventRequest({ event: "message", body: "<x/>", contentType: "application/xml" }));
      assert.equal(res.status, 415);
      assert.equal(await errorCode(res), "WPS_ERR_EVENT_CONTENT_TYPE");
      assert.deepEqual(calls, []);
    });
  });

  describe("signatures", () => {
    it("accepts a request signed with the key", async () => {
      const { handler, calls } = recording();
      assert.equal((await handler.handle(await eventRequest({ event: "connected" }))).status, 200);
      assert.equal(calls.length, 1);
    });

    const refusals: [string, Parameters<typeof eventRequest>[0]][] = [
      ["missing", { event: "connect", signWith: [] }],
      ["forged", { event: "connect", headers: { [CloudEventHeader.signature]: `sha256=${"ab".repeat(32)}` } }],
      ["stale (signed with a retired key)", { event: "connect", signWith: [OTHER_KEY] }],
      ["replayed from another connection", { event: "connect", headers: { [CloudEventHeader.signature]: "" } }],
      ["not hex", { event: "connect", headers: { [CloudEventHeader.signature]: "sha256=zz" } }],
    ];
    for (const [name, spec] of refusals) {
      it(`refuses a ${name} signature with 401 before any callback`, async () => {
        const { handler, calls } = recording();
        let request = await eventRequest(spec);
        if (name.startsWith("replayed")) {
          // A valid signature, but for conn-2: the signature covers the connection id only.
          const other = await eventRequest({ event: "connect", connectionId: "conn-2" });
          request = await eventRequest({ event: "connect", headers: { [CloudEventHeader.signature]: other.headers.get(CloudEventHeader.signature)! } });
        }
        const res = await handler.handle(request);
        assert.equal(res.status, 401);
        assert.equal(await errorCode(res), "WPS_ERR_EVENT_SIGNATURE");
        assert.deepEqual(calls, []);
      });
    }

    it("accepts either key during rotation, and the primary or secondary of the service", async () => {
      const { handler } = recording({ accessKeys: [OTHER_KEY, KEY] });
      for (const signWith of [[KEY], [OTHER_KEY], [OTHER_KEY, KEY], [KEY, OTHER_KEY]]) {
        assert.equal((await handler.handle(await eventRequest({ event: "connected", signWith }))).status, 200, `signed with ${signWith.length} key(s)`);
      }
    });

    it("stops accepting a key removed with updateAccessKeys", async () => {
      const { handler } = recording({ accessKeys: [KEY, OTHER_KEY] });
      handler.updateAccessKeys([OTHER_KEY]);
      assert.equal((await handler.handle(await eventRequest({ event: "connected", signWith: [KEY] }))).status, 401);
      assert.equal((await handler.handle(await eventRequest({ event: "connected", signWith: [OTHER_KEY] }))).status, 200);
    });

    it("remembers a verified signature per connection, but never a wrong one, and forgets on key change", async () => {
      const { handler } = recording({ accessKeys: [KEY] });
      assert.equal((await handler.handle(await eventRequest({ event: "connected", connectionId: "c-cache" }))).status, 200);
      const forged = await eventRequest({ event: "connected", connectionId: "c-cache", headers: { [CloudEventHeader.signature]: `sha256=${"1".repeat(64)}` } });
      assert.equal((await handler.handle(forged)).status, 401);
      assert.equal((await handler.handle(await eventRequest({ event: "connected", connectionId: "c-cache" }))).status, 200);
      handler.updateAccessKeys([OTHER_KEY]);
      assert.equal((await handler.handle(await eventRequest({ event: "connected", connectionId: "c-cache" }))).status, 401);
    });

    it("takes the key from a connection string", async () => {
      const handler = new WebPubSubEventHandler(HUB, { connectionString: `Endpoint=https://${ORIGIN};AccessKey=${OTHER_KEY};Version=1.0;` });
      assert.equal((await handler.handle(await eventRequest({ event: "connected", signWith: [OTHER_KEY] }))).status, 200);
      assert.equal((await handler.handle(await eventRequest({ event: "connected", signWith: [KEY] }))).status, 401);
    });

    it("refuses to start without keys, naming the options", () => {
      assert.throws(() => new WebPubSubEventHandler(HUB, { handleConnect: () => {} }), {
        code: "WPS_ERR_INVALID_ARGUMENT",
        message: /accessKeys or connectionString/,
      });
    });

    it("with unsafeSkipSignatureVerification accepts unsigned events and warns once", async () => {
      const warnings: string[] = [];
      const handler = new WebPubSubEventHandler(HUB, { unsafeSkipSignatureVerification: true, onLog: (level, m) => void warnings.push(`${level}: ${m}`) });
      for (let i = 0; i < 3; i++) assert.equal((await handler.handle(await eventRequest({ event: "connected", signWith: [] }))).status, 200);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /^warning: .*verification is OFF/);
    });
  });

  describe("routing", () => {
    it("answers 404 for a path that only starts with the handler's path", async () => {
      const { handler, calls } = recording();
      const res = await handler.handle(await eventRequest({ event: "connected", path: `${PATH}extra` }));
      assert.equal(res.status, 404);
      assert.equal(await errorCode(res), "WPS_ERR_EVENT_PATH");
      assert.deepEqual(calls, []);
    });

    it("matches the path case-insensitively with or without the trailing slash", async () => {
      const { handler } = recording();
      for (const path of ["/api/webpubsub/hubs/chat", "/API/WebPubSub/hubs/Chat/", "/api/webpubsub/hubs/chat/?code=1"]) {
        assert.equal((await handler.handle(await eventRequest({ event: "connected", path }))).status, 200, path);
      }
    });

    it("matches one {event} segment when the path has one", async () => {
      const { handler } = recording({ path: "/eventhandler/{event}" });
      assert.equal((await handler.handle(await eventRequest({ event: "connected", path: "/eventhandler/connected" }))).status, 200);
      assert.equal((await handler.handle(await eventRequest({ event: "connected", path: "/eventhandler/a/b" }))).status, 404);
      assert.equal((await handler.handle(await eventRequest({ event: "connected", path: "/eventhandler" }))).status, 404);
    });

    it("refuses another hub with 400 WPS_ERR_EVENT_HUB", async () => {
      const { handler, calls } = recording();
      const res = await handler.handle(await eventRequest({ event: "connected", hub: "other" }));
      assert.equal(res.status, 400);
      assert.equal(await errorCode(res), "WPS_ERR_EVENT_HUB");
      assert.deepEqual(calls, []);
    });

    it("takes the hub case-insensitively", async () => {
      const { handler } = recording();
      assert.equal((await handler.handle(await eventRequest({ event: "connected", hub: "CHAT" }))).status, 200);
    });

    it("refuses unknown event types and non-Web PubSub requests with 400", async () => {
      const { handler, calls } = recording();
      const unknown = await handler.handle(await eventRequest({ event: "connected", headers: { [CloudEventHeader.type]: `${EVENT_TYPE_PREFIX}sys.reboot` } }));
      assert.equal(await errorCode(unknown), "WPS_ERR_EVENT_TYPE");
      const plain = await handler.handle(await eventRequest({ event: "connected", headers: { [CloudEventHeader.awpsVersion]: undefined } }));
      assert.equal(await errorCode(plain), "WPS_ERR_EVENT_NOT_CLOUDEVENT");
      assert.deepEqual(calls, []);
    });

    it("answers 405 with Allow to other methods", async () => {
      const res = await make().handle(new Request(`http://h${PATH}`, { method: "GET" }));
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("allow"), "OPTIONS, POST");
    });
  });

  describe("bad input", () => {
    const cases: [string, Parameters<typeof eventRequest>[0], number, string][] = [
      ["a missing ce-connectionId", { event: "connected", headers: { [CloudEventHeader.connectionId]: undefined } }, 400, "WPS_ERR_EVENT_HEADER"],
      ["a ce-connectionState that is not base64 JSON", { event: "connected", headers: { [CloudEventHeader.connectionState]: "%%%not-base64" } }, 400, "WPS_ERR_EVENT_HEADER"],
      ["a ce-connectionState holding a JSON array", { event: "connected", headers: { [CloudEventHeader.connectionState]: btoa("[1,2]") } }, 400, "WPS_ERR_EVENT_HEADER"],
      ["invalid JSON in connect", { event: "connect", body: '{"claims":', contentType: "application/json" }, 400, "WPS_ERR_EVENT_BODY"],
      ["a connect body that is a JSON array", { event: "connect", body: "[]", contentType: "application/json" }, 400, "WPS_ERR_EVENT_BODY"],
      ["an empty connect body", { event: "connect", body: "", contentType: "application/json" }, 400, "WPS_ERR_EVENT_BODY"],
      ["claims that are not arrays of strings", { event: "connect", body: { claims: { sub: [5] } } }, 400, "WPS_ERR_EVENT_BODY"],
      ["subprotocols that are not strings", { event: "connect", body: { subprotocols: [1] } }, 400, "WPS_ERR_EVENT_BODY"],
      ["a disconnect reason that is not a string", { event: "disconnected", body: { reason: 5 } }, 400, "WPS_ERR_EVENT_BODY"],
      ["a group event without a group", { event: "gp.joined", body: {} }, 400, "WPS_ERR_EVENT_BODY"],
      ["invalid JSON in a user event", { event: "message", body: "{nope", contentType: "application/json" }, 400, "WPS_ERR_EVENT_BODY"],
      ["text that is not UTF-8", { event: "message", body: new Uint8Array([0xc3, 0x28]), contentType: "text/plain" }, 400, "WPS_ERR_EVENT_BODY"],
    ];
    for (const [name, spec, status, code] of cases) {
      it(`answers ${status} ${code} to ${name}, without calling back`, async () => {
        const { handler, calls } = recording();
        const res = await handler.handle(await eventRequest(spec));
        assert.equal(res.status, status);
        assert.equal(await errorCode(res), code);
        assert.deepEqual(calls, []);
      });
    }

    it("answers 413 to a body past maxBodyBytes, declared or streamed", async () => {
      const { handler, calls } = recording({ maxBodyBytes: 16 });
      const declared = await handler.handle(await eventRequest({ event: "message", body: "x".repeat(17) }));
      assert.equal(declared.status, 413);
      assert.equal(await errorCode(declared), "WPS_ERR_EVENT_TOO_LARGE");
      const { headers } = { headers: (await eventRequest({ event: "message" })).headers };
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode("12345678"));
          controller.close();
        },
      });
      const streamed = await handler.handle(new Request(`http://h${PATH}`, { method: "POST", headers, body: stream, duplex: "half" } as RequestInit));
      assert.equal(streamed.status, 413);
      assert.equal((await eventRequest({ event: "message", body: "x".repeat(16) })) instanceof Request, true);
      assert.equal((await handler.handle(await eventRequest({ event: "message", body: "x".repeat(16) }))).status, 200);
      assert.equal(calls.length, 1);
    });
  });

  describe("callbacks that misbehave", () => {
    it("answers 500 when handleConnect throws, and logs it", async () => {
      const logged: unknown[] = [];
      const handler = make({ handleConnect: () => { throw new Error("db down"); }, onLog: (_l, m, e) => void logged.push(m, e) });
      const res = await handler.handle(await eventRequest({ event: "connect" }));
      assert.equal(res.status, 500);
      assert.equal(await errorCode(res), "WPS_ERR_EVENT_HANDLER");
      assert.equal(logged[0], "handleConnect failed; answered 500");
      assert.equal((logged[1] as Error).message, "db down");
    });

    it("answers 500 when an async handleUserEvent rejects or settles without answering", async () => {
      const log = () => {};
      const rejecting = make({ onLog: log, handleUserEvent: async () => Promise.reject(new Error("x")) });
      assert.equal((await rejecting.handle(await eventRequest({ event: "message", body: "x" }))).status, 500);
      const silent = make({ onLog: log, handleUserEvent: async () => {} });
      const res = await silent.handle(await eventRequest({ event: "message", body: "x" }));
      assert.equal(res.status, 500);
      assert.match(await res.text(), /did not answer/);
    });

    it("answers 500 when fail() gets a status outside 400-599", async () => {
      const handler = make({ onLog: () => {}, handleUserEvent: (_req, res) => res.fail(200 as 400) });
      assert.equal((await handler.handle(await eventRequest({ event: "message", body: "x" }))).status, 500);
    });

    it("keeps an async answer given before the promise settles", async () => {
      const handler = make({ handleUserEvent: async (_req, res) => { await tick(); res.success("ok", "text"); } });
      const res = await handler.handle(await eventRequest({ event: "message", body: "x" }));
      assert.equal(await res.text(), "ok");
    });
  });
});
