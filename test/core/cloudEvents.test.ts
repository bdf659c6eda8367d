import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  AbuseProtectionHeader,
  CloudEventHeader,
  allowedOriginHeaderValue,
  buildCloudEventHeaders,
  buildEventSource,
  buildEventType,
  contentTypeOfDataType,
  dataTypeOfEventContentType,
  dataTypeOfReplyContentType,
  decodeConnectionState,
  encodeConnectionState,
  identifyEvent,
  isBlockingEvent,
  isOriginAllowed,
  parseConnectErrorBody,
  parseConnectRequestBody,
  parseConnectResponseBody,
  parseDisconnectedBody,
  parseEventType,
  parseGroupEventBody,
  readCloudEvent,
  readHeader,
  signConnectionId,
  systemEventType,
  verifySignature,
  type CloudEventAttributes,
  type SystemEventName,
} from "../../src/core/index.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const KEY2 = "secondary-key-0123456789-0123456789-abcdef";

function hexHmac(key: string, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}

/** The attributes of one event of connection c1 in hub chat. */
function attributes(type: string, eventName: string, extra: Partial<CloudEventAttributes> = {}): CloudEventAttributes {
  return { id: "1", type, time: "2026-01-01T00:00:00.000Z", hub: "chat", connectionId: "c1", eventName, ...extra };
}

/** What a handler receives: the built headers plus the origin header. */
function received(headers: Record<string, string>): Record<string, string> {
  return { ...headers, [AbuseProtectionHeader.requestOrigin]: "localhost:8080" };
}

describe("core/cloudEvents", () => {
  describe("event types", () => {
    it("builds the ce-type of system, user and group events", () => {
      assert.equal(buildEventType("sys", "connect"), "azure.webpubsub.sys.connect");
      assert.equal(buildEventType("sys", "disconnected"), "azure.webpubsub.sys.disconnected");
      assert.equal(buildEventType("user", "message"), "azure.webpubsub.user.message");
      assert.equal(buildEventType("gp", "joined"), "azure.webpubsub.gp.joined");
    });

    it("refuses events a kind does not have, with a stable code", () => {
      for (const [kind, event] of [
        ["sys", "message"],
        ["sys", "Connect"],
        ["gp", "connect"],
        ["user", ""],
        ["user", "9lives"],
        ["user", "has space"],
        ["user", "x".repeat(129)],
      ] as const) {
        assert.throws(() => buildEventType(kind, event), { code: "WPS_ERR_INVALID_ARGUMENT" }, `${kind} ${event}`);
      }
    });

    it("parses every type it builds back to the same kind and event", () => {
      for (const [kind, event] of [
        ["sys", "connect"],
        ["sys", "connected"],
        ["sys", "disconnected"],
        ["gp", "joined"],
        ["gp", "left"],
        ["user", "message"],
        ["user", "chat.v2-x_y"],
      ] as const) {
        assert.deepEqual(parseEventType(buildEventType(kind, event)), { kind, event });
      }
    });

    it("rejects malformed and foreign ce-type values", () => {
      for (const bad of [
        undefined,
        null,
        "",
        "azure.webpubsub.",
        "azure.webpubsub.sys",
        "azure.webpubsub.sys.",
        "azure.webpubsub.sys.message",
        "azure.webpubsub.gp.connected",
        "azure.webpubsub.user.",
        "azure.webpubsub.user.bad name",
        "azure.webpubsub.other.connect",
        "Azure.WebPubSub.sys.connect",
        "com.example.sys.connect",
      ]) {
        assert.equal(parseEventType(bad), undefined, String(bad));
      }
    });

    it("maps every system event name to its wire type and event name", () => {
      const expected: Record<SystemEventName, [string, string]> = {
        connect: ["azure.webpubsub.sys.connect", "connect"],
        connected: ["azure.webpubsub.sys.connected", "connected"],
        disconnected: ["azure.webpubsub.sys.disconnected", "disconnected"],
        "mqtt.connect": ["azure.webpubsub.sys.connect", "connect"],
        "mqtt.connected": ["azure.webpubsub.sys.connected", "connected"],
        "mqtt.disconnected": ["azure.webpubsub.sys.disconnected", "disconnected"],
        "group.joined": ["azure.webpubsub.gp.joined", "joined"],
        "group.left": ["azure.webpubsub.gp.left", "left"],
      };
      for (const [name, [type, eventName]] of Object.entries(expected)) {
        assert.deepEqual(systemEventType(name as SystemEventName), { type, eventName }, name);
      }
    });

    it("tells MQTT events apart only with both mqtt subprotocol and physical connection id", () => {
      const type = buildEventType("sys", "connect");
      assert.deepEqual(identifyEvent(type, { subprotocol: "mqtt", physicalConnectionId: "p1" }), { kind: "system", name: "mqtt.connect" });
      assert.deepEqual(identifyEvent(type, { subprotocol: "mqtt" }), { kind: "system", name: "connect" });
      assert.deepEqual(identifyEvent(type, { subprotocol: "json.webpubsub.azure.v1", physicalConnectionId: "p1" }), { kind: "system", name: "connect" });
      assert.deepEqual(identifyEvent(buildEventType("gp", "left")), { kind: "system", name: "group.left" });
      assert.deepEqual(identifyEvent(buildEventType("user", "chat")), { kind: "user", name: "chat" });
      assert.equal(identifyEvent("azure.webpubsub.sys.nope"), undefined);
    });

    it("marks connect and user events as blocking, the rest as fire-and-forget", () => {
      assert.equal(isBlockingEvent({ kind: "system", name: "connect" }), true);
      assert.equal(isBlockingEvent({ kind: "system", name: "mqtt.connect" }), true);
      assert.equal(isBlockingEvent({ kind: "user", name: "message" }), true);
      for (const name of ["connected", "disconnected", "mqtt.disconnected", "group.joined", "group.left"] as const) {
        assert.equal(isBlockingEvent({ kind: "system", name }), false, name);
      }
    });
  });

  describe("attribute headers", () => {
    it("round-trips every system event through build and read", () => {
      const names: SystemEventName[] = ["connect", "connected", "disconnected", "mqtt.connect", "mqtt.connected", "mqtt.disconnected", "group.joined", "group.left"];
      for (const name of names) {
        const { type, eventName } = systemEventType(name);
        const mqtt = name.startsWith("mqtt.") ? { subprotocol: "mqtt", physicalConnectionId: "phys-1", sessionId: "s1" } : {};
        const result = readCloudEvent(received(buildCloudEventHeaders(attributes(type, eventName, mqtt))));
        assert.ok(result.ok, name);
        assert.deepEqual(result.event.event, { kind: "system", name });
        assert.equal(result.event.eventName, eventName);
        assert.equal(result.event.type, type);
      }
    });

    it("round-trips a user event with every optional attribute", async () => {
      const signature = await signConnectionId("c1", [KEY]);
      const state = encodeConnectionState({ n: 1 });
      const headers = buildCloudEventHeaders(
        attributes(buildEventType("user", "chat"), "chat", { userId: "zoë", subprotocol: "json.webpubsub.azure.v1", signature, connectionState: state }),
      );
      const result = readCloudEvent(received(headers));
      assert.ok(result.ok);
      assert.deepEqual(result.event, {
        event: { kind: "user", name: "chat" },
        type: "azure.webpubsub.user.chat",
        id: "1",
        source: "/hubs/chat/client/c1",
        time: "2026-01-01T00:00:00.000Z",
        hub: "chat",
        connectionId: "c1",
        eventName: "chat",
        userId: "zoë",
        subprotocol: "json.webpubsub.azure.v1",
        signature,
        connectionState: state,
        physicalConnectionId: undefined,
        sessionId: undefined,
        origin: "localhost:8080",
      });
    });

    it("spells the headers as the service does and leaves absent optional ones out", () => {
      const headers = buildCloudEventHeaders(attributes(buildEventType("sys", "connected"), "connected", { userId: null, subprotocol: null, connectionState: "" }));
      assert.deepEqual(Object.keys(headers).sort(), [
        "ce-awpsversion",
        "ce-connectionId",
        "ce-eventName",
        "ce-hub",
        "ce-id",
        "ce-source",
        "ce-specversion",
        "ce-time",
        "ce-type",
      ]);
      assert.equal(headers[CloudEventHeader.specVersion], "1.0");
      assert.equal(headers[CloudEventHeader.awpsVersion], "1.0");
      assert.equal(headers[CloudEventHeader.source], buildEventSource("chat", "c1"));
    });

    it("reads headers from fetch Headers, lower-cased Node headers and a lookup function alike", () => {
      const built = received(buildCloudEventHeaders(attributes(buildEventType("sys", "connected"), "connected", { userId: "u" })));
      const lower = Object.fromEntries(Object.entries(built).map(([k, v]) => [k.toLowerCase(), [v]]));
      const fetchHeaders = new Headers(built);
      for (const source of [fetchHeaders, lower, (name: string) => fetchHeaders.get(name)]) {
        const result = readCloudEvent(source);
        assert.ok(result.ok);
        assert.equal(result.event.userId, "u");
        assert.equal(result.event.connectionId, "c1");
      }
      assert.equal(readHeader({ "X-Mixed": "v" }, "x-mixed"), "v");
    });

    it("says a request without ce-awpsversion or WebHook-Request-Origin is not a Web PubSub event", () => {
      const built = buildCloudEventHeaders(attributes(buildEventType("sys", "connected"), "connected"));
      const noOrigin = readCloudEvent(built);
      assert.equal(noOrigin.ok, false);
      assert.equal(!noOrigin.ok && noOrigin.reason, "not-webpubsub");
      const { [CloudEventHeader.awpsVersion]: _dropped, ...noAwps } = received(built);
      const result = readCloudEvent(noAwps);
      assert.equal(!result.ok && result.reason, "not-webpubsub");
    });

    it("rejects unknown types, other spec versions and missing attributes with a reason", () => {
      const good = received(buildCloudEventHeaders(attributes(buildEventType("sys", "connected"), "connected")));
      const cases: [Record<string, string>, string][] = [
        [{ ...good, [CloudEventHeader.type]: "azure.webpubsub.sys.exploded" }, "unknown-type"],
        [{ ...good, [CloudEventHeader.type]: "" }, "unknown-type"],
        [{ ...good, [CloudEventHeader.specVersion]: "0.3" }, "unsupported-version"],
      ];
      for (const header of [CloudEventHeader.type, CloudEventHeader.hub, CloudEventHeader.connectionId, CloudEventHeader.eventName]) {
        const copy = { ...good };
        delete copy[header];
        cases.push([copy, header === CloudEventHeader.type ? "unknown-type" : "missing-header"]);
      }
      for (const [headers, reason] of cases) {
        const result = readCloudEvent(headers);
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.reason, reason);
      }
    });
  });

  describe("ce-signature", () => {
    it("signs with every key, primary first, as hex HMAC-SHA256 of the connection id", async () => {
      assert.equal(await signConnectionId("conn-1", [KEY, KEY2]), `sha256=${hexHmac(KEY, "conn-1")},sha256=${hexHmac(KEY2, "conn-1")}`);
    });

    it("accepts a header when any entry matches any key", async () => {
      const header = await signConnectionId("c1", [KEY, KEY2]);
      assert.equal(await verifySignature(header, "c1", [KEY]), true);
      assert.equal(await verifySignature(header, "c1", [KEY2]), true);
      assert.equal(await verifySignature(`sha256=${hexHmac(KEY2, "c1")}`, "c1", ["other-key-000000000000000000000000", KEY2]), true);
      assert.equal(await verifySignature(` sha256=${hexHmac(KEY, "c1").toUpperCase()} `, "c1", [KEY]), true);
    });

    it("refuses a signature of another connection or key", async () => {
      assert.equal(await verifySignature(await signConnectionId("c2", [KEY]), "c1", [KEY]), false);
      assert.equal(await verifySignature(await signConnectionId("c1", [KEY2]), "c1", [KEY]), false);
    });

    it("refuses missing and malformed headers without throwing", async () => {
      const hex = hexHmac(KEY, "c1");
      for (const bad of [undefined, null, "", hex, `sha1=${hex}`, `sha256=${hex.slice(1)}`, `sha256=${hex}0`, `sha256=${hex.replace(/./, "g")}`, "sha256=", ",,,"]) {
        assert.equal(await verifySignature(bad, "c1", [KEY]), false, String(bad));
      }
    });

    it("refuses a header with more entries than key rotation needs, even if one matches", async () => {
      const header = [...Array.from({ length: 8 }, () => `sha256=${"0".repeat(64)}`), `sha256=${hexHmac(KEY, "c1")}`].join(",");
      assert.equal(await verifySignature(header, "c1", [KEY]), false);
    });

    it("demands at least one non-empty key", async () => {
      await assert.rejects(signConnectionId("c1", []), { code: "WPS_ERR_INVALID_ARGUMENT" });
      await assert.rejects(verifySignature("sha256=00", "c1", [""]), { code: "WPS_ERR_INVALID_ARGUMENT" });
    });
  });

  describe("ce-connectionState", () => {
    it("round-trips an object, Unicode included", () => {
      const state = { user: "zoë", n: 3, nested: { list: [1, "二"] } };
      assert.deepEqual(decodeConnectionState(encodeConnectionState(state)), state);
    });

    it("encodes as the official Express handler does, and reads what it writes", () => {
      const state = { a: "ü", b: [true] };
      const expressEncoded = Buffer.from(JSON.stringify(state)).toString("base64");
      assert.equal(encodeConnectionState(state), expressEncoded);
      assert.deepEqual(decodeConnectionState(expressEncoded), state);
      // Node's decoder also reads the url-safe alphabet and missing padding; so do we.
      assert.deepEqual(decodeConnectionState(Buffer.from(JSON.stringify(state)).toString("base64url")), state);
    });

    it("returns undefined for absent or garbage headers instead of throwing", () => {
      const b64 = (text: string) => Buffer.from(text).toString("base64");
      for (const bad of [undefined, null, "", "%%%", "not base64!", "a", b64("not json"), b64("[1,2]"), b64("null"), b64("42"), Buffer.from([0xff, 0xfe]).toString("base64"), "A".repeat(20_000)]) {
        assert.equal(decodeConnectionState(bad), undefined, String(bad).slice(0, 30));
      }
    });

    it("refuses state that is not a JSON object or is too large", () => {
      const cyclic: Record<string, unknown> = {};
      cyclic["self"] = cyclic;
      for (const bad of [null, [1], "text", cyclic, { big: 1n }, { text: "x".repeat(16 * 1024) }]) {
        assert.throws(() => encodeConnectionState(bad as Record<string, unknown>), { code: "WPS_ERR_INVALID_ARGUMENT" });
      }
    });
  });

  describe("abuse protection", () => {
    it("allows `*`, the origin itself (any case) or a list holding it", () => {
      assert.equal(isOriginAllowed("*", "a.webpubsub.azure.com"), true);
      assert.equal(isOriginAllowed("A.WebPubSub.Azure.com", "a.webpubsub.azure.com"), true);
      assert.equal(isOriginAllowed("b.example, a.webpubsub.azure.com", "a.webpubsub.azure.com"), true);
    });

    it("refuses a missing header, another host or an empty entry", () => {
      assert.equal(isOriginAllowed(null, "a"), false);
      assert.equal(isOriginAllowed(undefined, "a"), false);
      assert.equal(isOriginAllowed("", "a"), false);
      assert.equal(isOriginAllowed("b.example", "a.example"), false);
      assert.equal(isOriginAllowed("a.example.evil", "a.example"), false);
      assert.equal(isOriginAllowed(", ,", ""), false);
    });

    it("answers with `*` or the lower-cased allowed hosts, which the checker accepts", () => {
      assert.equal(allowedOriginHeaderValue("*"), "*");
      const value = allowedOriginHeaderValue(["A.example", "b.example"]);
      assert.equal(value, "a.example, b.example");
      assert.equal(isOriginAllowed(value, "b.example"), true);
      for (const bad of [[], [""], ["a b"], ["a,b"]]) {
        assert.throws(() => allowedOriginHeaderValue(bad), { code: "WPS_ERR_INVALID_ARGUMENT" });
      }
    });
  });

  describe("bodies", () => {
    it("parses a connect request, turning single values into arrays", () => {
      const body = {
        claims: { sub: ["u1"], role: "webpubsub.sendToGroup" },
        query: { a: ["1", "2"] },
        headers: { "User-Agent": ["t"] },
        subprotocols: ["json.webpubsub.azure.v1"],
        clientCertificates: [{ thumbprint: "ab", content: "pem" }],
      };
      const result = parseConnectRequestBody(JSON.stringify(body));
      assert.ok(result.ok);
      assert.deepEqual(result.value, { ...body, claims: { sub: ["u1"], role: ["webpubsub.sendToGroup"] } });
    });

    it("parses the mqtt part of an MQTT connect request", () => {
      const mqtt = { protocolVersion: 5, username: "u", password: "p", userProperties: [{ name: "k", value: "v" }] };
      const result = parseConnectRequestBody(JSON.stringify({ claims: {}, query: {}, headers: {}, subprotocols: ["mqtt"], clientCertificates: [], mqtt }));
      assert.ok(result.ok);
      assert.deepEqual(result.value.mqtt, mqtt);
    });

    it("rejects malformed connect requests with the field at fault", () => {
      const cases: [string, RegExp][] = [
        ["{", /not JSON/],
        ["[]", /not a JSON object/],
        [JSON.stringify({ claims: [] }), /'claims'/],
        [JSON.stringify({ query: { a: [1] } }), /'query\.a'/],
        [JSON.stringify({ subprotocols: "json" }), /'subprotocols'/],
        [JSON.stringify({ clientCertificates: [{}] }), /'clientCertificates'/],
        [JSON.stringify({ mqtt: { protocolVersion: "5" } }), /'mqtt\.protocolVersion'/],
        [JSON.stringify({ mqtt: { protocolVersion: 5, userProperties: [{ name: 1 }] } }), /'mqtt\.userProperties'/],
      ];
      for (const [text, message] of cases) {
        const result = parseConnectRequestBody(text);
        assert.equal(result.ok, false, text);
        assert.match(!result.ok ? result.message : "", message);
      }
    });

    it("parses connect answers: empty and null mean defaults, userId null is dropped", () => {
      assert.deepEqual(parseConnectResponseBody(""), { ok: true, value: {} });
      assert.deepEqual(parseConnectResponseBody("null"), { ok: true, value: {} });
      assert.deepEqual(parseConnectResponseBody(JSON.stringify({ userId: null, roles: [] })), { ok: true, value: { roles: [] } });
      const full = { userId: "", groups: ["g"], roles: ["webpubsub.sendToGroup.g"], subprotocol: "json.webpubsub.azure.v1", mqtt: { userProperties: [{ name: "a", value: "b" }] } };
      assert.deepEqual(parseConnectResponseBody(JSON.stringify(full)), { ok: true, value: full });
    });

    it("rejects connect answers with wrong field types or a blank subprotocol", () => {
      for (const bad of ["{", "[]", "7", '{"userId":1}', '{"groups":"g"}', '{"roles":[1]}', '{"subprotocol":" "}', '{"subprotocol":3}', '{"mqtt":[]}']) {
        assert.equal(parseConnectResponseBody(bad).ok, false, bad);
      }
    });

    it("reads a failed connect answer as MQTT error or text reason, capped", () => {
      assert.deepEqual(parseConnectErrorBody('{"mqtt":{"code":135,"reason":"no"}}'), { reason: "no", mqtt: { code: 135, reason: "no" } });
      assert.deepEqual(parseConnectErrorBody("Unauthorized user"), { reason: "Unauthorized user" });
      assert.deepEqual(parseConnectErrorBody('{"mqtt":"x"}'), { reason: '{"mqtt":"x"}' });
      assert.deepEqual(parseConnectErrorBody(""), {});
      assert.equal(parseConnectErrorBody("x".repeat(5000), 10).reason, "xxxxxxxxxx…");
    });

    it("parses disconnected bodies with and without MQTT details, and rejects malformed ones", () => {
      assert.deepEqual(parseDisconnectedBody(""), { ok: true, value: {} });
      assert.deepEqual(parseDisconnectedBody('{"reason":"bye"}'), { ok: true, value: { reason: "bye" } });
      const mqtt = { initiatedByClient: true, disconnectPacket: { code: 0, userProperties: [{ name: "a", value: "b" }] } };
      assert.deepEqual(parseDisconnectedBody(JSON.stringify({ reason: "", mqtt })), { ok: true, value: { reason: "", mqtt } });
      for (const bad of ["{", "[]", '{"reason":1}', '{"mqtt":{"initiatedByClient":"yes","disconnectPacket":{"code":0}}}', '{"mqtt":{"initiatedByClient":true}}']) {
        assert.equal(parseDisconnectedBody(bad).ok, false, bad);
      }
    });

    it("parses group event bodies and rejects ones without a group", () => {
      assert.deepEqual(parseGroupEventBody('{"group":"g1"}'), { ok: true, value: { group: "g1" } });
      for (const bad of ["", "{}", '{"group":""}', '{"group":1}', "[]"]) assert.equal(parseGroupEventBody(bad).ok, false, bad);
    });
  });

  describe("user event content types", () => {
    it("round-trips each data type through its Content-Type", () => {
      for (const dataType of ["text", "json", "binary"] as const) {
        assert.equal(dataTypeOfEventContentType(contentTypeOfDataType(dataType)), dataType);
      }
      assert.throws(() => contentTypeOfDataType("xml" as "text"), { code: "WPS_ERR_INVALID_ARGUMENT" });
    });

    it("reads requests strictly: unknown media types are not events", () => {
      assert.equal(dataTypeOfEventContentType("Application/JSON ; charset=UTF-8"), "json");
      assert.equal(dataTypeOfEventContentType("text/html"), undefined);
      assert.equal(dataTypeOfEventContentType(undefined), undefined);
    });

    it("reads replies leniently: JSON and text as such, anything else binary", () => {
      assert.equal(dataTypeOfReplyContentType("application/cloudevents+json"), "json");
      assert.equal(dataTypeOfReplyContentType("text/html; charset=utf-8"), "text");
      assert.equal(dataTypeOfReplyContentType("image/png"), "binary");
      assert.equal(dataTypeOfReplyContentType(null), "binary");
    });
  });
});
