// The official SDKs against the emulator: proves auth (aud with query), paging, content
// types and the reliable protocol are what real clients expect.
import assert from "node:assert/strict";
import { WebPubSubServiceClient } from "@azure/web-pubsub";
import { WebPubSubClient, type OnGroupDataMessageArgs, type OnServerDataMessageArgs } from "@azure/web-pubsub-client";
import type { Emulator } from "../../src/emulator/index.js";
import { CE, eventually, JSON_PROTOCOL, start, startHandler, TestClient, type HandlerServer, clientsClosedAfterEach } from "./helpers.js";

describe("emulator interop with the official SDKs", () => {
  let emu: Emulator;
  let handler: HandlerServer;
  before(async () => {
    handler = await startHandler((r) =>
      r.headers[CE.eventName] === "echo"
        ? { status: 200, headers: { "content-type": "application/json" }, body: r.body }
        : undefined,
    );
    emu = await start({ hubs: { Interop: { eventHandlers: [{ urlTemplate: handler.url, userEventPattern: "echo" }] } } });
  });
  after(async () => {
    await emu.close();
    await handler.close();
  });

  describe("@azure/web-pubsub 1.2.0 service client", () => {
    let svc: WebPubSubServiceClient;
    const clients = clientsClosedAfterEach();
    before(() => {
      // The SDK refuses plain http unless told; the emulator is loopback-only http.
      svc = new WebPubSubServiceClient(emu.connectionString, "Interop", { allowInsecureConnection: true });
    });

    async function connect(userId?: string, groups?: string[]): Promise<TestClient> {
      const options: { userId?: string; groups?: string[]; roles?: string[] } = { roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"] };
      if (userId) options.userId = userId;
      if (groups) options.groups = groups;
      const { url } = await svc.getClientAccessToken(options);
      const c = new TestClient(url, JSON_PROTOCOL);
      clients.push(c);
      const connected = await c.nextJson();
      c.connectionId = connected.connectionId;
      return c;
    }

    it("sends to all as JSON, text and binary", async () => {
      const c = await connect();
      await svc.sendToAll({ hello: "world" });
      await svc.sendToAll("plain", { contentType: "text/plain" });
      await svc.sendToAll(new Uint8Array([1, 2, 3]).buffer);
      assert.deepEqual(await c.nextJson(), { type: "message", from: "server", dataType: "json", data: { hello: "world" } });
      assert.deepEqual(await c.nextJson(), { type: "message", from: "server", dataType: "text", data: "plain" });
      assert.deepEqual(await c.nextJson(), { type: "message", from: "server", dataType: "binary", data: "AQID" });
    });

    it("sends with filter and excluded connections", async () => {
      const a = await connect("a");
      const b = await connect("b");
      await svc.sendToAll("not b", { filter: "userId ne 'b'" });
      await svc.sendToAll("not a", { excludedConnections: [a.connectionId] });
      assert.equal((await a.nextJson()).data, "not b");
      assert.equal((await b.nextJson()).data, "not a");
    });

    it("sends to a user, a connection and a group", async () => {
      const u = await connect("user1", ["grp"]);
      await svc.sendToUser("user1", "to user");
      await svc.sendToConnection(u.connectionId, "to connection");
      await svc.group("grp").sendToAll("to group");
      assert.equal((await u.nextJson()).data, "to user");
      assert.equal((await u.nextJson()).data, "to connection");
      const g = await u.nextJson();
      assert.equal(g.from, "group");
      assert.equal(g.data, "to group");
    });

    it("answers the exists helpers with true and false", async () => {
      const c = await connect("exists", ["eg"]);
      assert.equal(await svc.connectionExists(c.connectionId), true);
      assert.equal(await svc.connectionExists("missing"), false);
      assert.equal(await svc.userExists("exists"), true);
      assert.equal(await svc.userExists("nobody"), false);
      assert.equal(await svc.groupExists("eg"), true);
      assert.equal(await svc.groupExists("nogroup"), false);
    });

    it("manages group membership for connections and users", async () => {
      const c = await connect("member");
      const group = svc.group("managed");
      await group.addConnection(c.connectionId);
      assert.equal(await svc.groupExists("managed"), true);
      await group.removeConnection(c.connectionId);
      assert.equal(await svc.groupExists("managed"), false);
      await group.addUser("member");
      assert.equal(await svc.groupExists("managed"), true);
      await group.removeUser("member");
      assert.equal(await svc.groupExists("managed"), false);
      await assert.rejects(group.addConnection("missing"), { statusCode: 404 });
      await group.addUser("member");
      await svc.removeUserFromAllGroups("member");
      assert.equal(await svc.groupExists("managed"), false);
      await group.addConnection(c.connectionId);
      await svc.removeConnectionFromAllGroups(c.connectionId);
      assert.equal(await svc.groupExists("managed"), false);
    });

    it("adds and removes connections to groups by filter", async () => {
      await connect("f1");
      await connect("f2");
      await svc.addConnectionsToGroups(["byfilter"], "userId eq 'f1'");
      const members: string[] = [];
      for await (const m of await svc.group("byfilter").listConnections()) members.push(m.userId ?? "");
      assert.deepEqual(members, ["f1"]);
      await svc.removeConnectionsFromGroups(["byfilter"], "userId eq 'f1'");
      assert.equal(await svc.groupExists("byfilter"), false);
    });

    it("lists group connections across pages by following nextLink", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await connect(`p${i}`, ["paged"])).connectionId);
      const pages: number[] = [];
      const seen: string[] = [];
      for await (const page of (await svc.group("paged").listConnections({ maxPageSize: 2 })).byPage()) {
        pages.push(page.length);
        seen.push(...page.map((m) => m.connectionId));
      }
      assert.deepEqual(pages, [2, 2, 1]);
      assert.deepEqual(seen, ids);
    });

    it("grants, checks and revokes permissions", async () => {
      const c = await connect("perm");
      assert.equal(await svc.hasPermission(c.connectionId, "sendToGroup", { targetName: "pg" }), true);
      await svc.revokePermission(c.connectionId, "sendToGroup", { targetName: "pg" });
      assert.equal(await svc.hasPermission(c.connectionId, "sendToGroup", { targetName: "pg" }), false);
      await svc.grantPermission(c.connectionId, "sendToGroup", { targetName: "pg" });
      assert.equal(await svc.hasPermission(c.connectionId, "sendToGroup", { targetName: "pg" }), true);
      assert.equal(await svc.hasPermission(c.connectionId, "joinLeaveGroup"), true);
    });

    it("closes a connection, a user's, a group's and all connections with the reason", async () => {
      const one = await connect("c1");
      const user = await connect("c2");
      const grp = await connect("c3", ["closing"]);
      const rest = await connect("c4");
      await svc.closeConnection(one.connectionId, { reason: "just you" });
      assert.deepEqual(await one.nextJson(), { type: "system", event: "disconnected", message: "just you" });
      await svc.closeUserConnections("c2");
      assert.equal((await user.closed).code, 1000);
      await svc.group("closing").closeAllConnections({ reason: "group over" });
      assert.equal((await grp.nextJson()).message, "group over");
      await svc.closeAllConnections({ reason: "all over" });
      assert.equal((await rest.nextJson()).message, "all over");
      await eventually(() => emu.connections("interop").length === 0);
    });

    it("surfaces a bad filter as a RestError with the service's code", async () => {
      await assert.rejects(svc.sendToAll("x", { filter: "userId eq" }), (err: { statusCode?: number; code?: string }) => {
        assert.equal(err.statusCode, 400);
        assert.equal(err.code, "Error.BadRequest");
        return true;
      });
    });
  });

  describe("@azure/web-pubsub-client 1.1.0 (reliable JSON)", () => {
    let svc: WebPubSubServiceClient;
    let client: WebPubSubClient | undefined;
    before(() => {
      svc = new WebPubSubServiceClient(emu.connectionString, "Interop", { allowInsecureConnection: true });
    });
    afterEach(() => {
      client?.stop();
      client = undefined;
    });

    async function startClient(userId: string): Promise<{ c: WebPubSubClient; server: unknown[]; group: unknown[]; connected: string[] }> {
      const { url } = await svc.getClientAccessToken({ userId, roles: ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"] });
      // Short keepalive: the official client leaves its keepalive delays running after stop().
      const c = new WebPubSubClient(url, { keepAliveIntervalInMs: 1000, keepAliveTimeoutInMs: 8000 });
      const server: unknown[] = [];
      const group: unknown[] = [];
      const connected: string[] = [];
      c.on("server-message", (e: OnServerDataMessageArgs) => server.push(e.message.data));
      c.on("group-message", (e: OnGroupDataMessageArgs) => group.push(e.message.data));
      c.on("connected", (e) => connected.push(e.connectionId));
      await c.start();
      client = c;
      return { c, server, group, connected };
    }

    it("connects, joins a group, and receives server and group messages", async () => {
      const { c, server, group, connected } = await startClient("jsclient");
      await eventually(() => connected.length === 1);
      await c.joinGroup("room");
      await svc.sendToUser("jsclient", { from: "server" });
      await svc.group("room").sendToAll("to the room", { contentType: "text/plain" });
      await c.sendToGroup("room", "from the client", "text");
      await eventually(() => server.length === 1 && group.length === 2);
      assert.deepEqual(server, [{ from: "server" }]);
      assert.deepEqual(group, ["to the room", "from the client"]);
    });

    it("gets the event handler's reply for sendEvent", async () => {
      const { c, server } = await startClient("evt");
      const result = await c.sendEvent("echo", { ping: 1 }, "json");
      assert.equal(typeof result.ackId, "number");
      await eventually(() => server.length === 1);
      assert.deepEqual(server, [{ ping: 1 }]);
    });

    it("recovers from a dropped socket with every message once, in order, and the same connection", async () => {
      const { c, server, connected } = await startClient("recover");
      await eventually(() => connected.length === 1);
      const total = 100;
      let receivedAtDrop = 0;
      const sender = (async () => {
        for (let i = 1; i <= total; i++) await svc.sendToUser("recover", `m${i}`, { contentType: "text/plain" });
      })();
      await eventually(() => server.length >= 30);
      const ws = (c as unknown as { _wsClient: { _socket: { _socket: { destroy(): void } } } })._wsClient._socket;
      ws._socket.destroy();
      receivedAtDrop = server.length;
      await sender;
      await eventually(() => server.length >= total, 15000);
      assert.ok(receivedAtDrop < total, "the drop happened mid-stream");
      assert.deepEqual(server, Array.from({ length: total }, (_, i) => `m${i + 1}`));
      assert.equal(connected.length, 1, "recovery, not a new connection");
      assert.equal(emu.connections("interop").filter((x) => x.userId === "recover").length, 1);
    });
  });
});
