import assert from "node:assert/strict";
import { decodeJwt, JSON_SUBPROTOCOL } from "../../src/core/index.js";
import { truncateUtf8 } from "../../src/emulator/ws/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import {
  API_VERSION,
  clientToken,
  connectJson,
  connectRaw,
  eventually,
  rest,
  restUrl,
  start,
  TestClient,
  clientsClosedAfterEach,
} from "./helpers.js";

describe("emulator REST operations", () => {
  let emu: Emulator;
  const clients = clientsClosedAfterEach();
  let hubSeq = 0;
  let hub = "";

  before(async () => {
    emu = await start();
  });
  after(() => emu.close());
  beforeEach(() => {
    // A fresh hub per test keeps tests independent without restarting the emulator.
    hub = `hub${++hubSeq}`;
  });

  async function json(o: Parameters<typeof connectJson>[2] = {}): Promise<TestClient> {
    const c = await connectJson(emu, hub, o);
    clients.push(c);
    return c;
  }
  async function raw(o: Parameters<typeof connectRaw>[2] = {}): Promise<TestClient> {
    const c = await connectRaw(emu, hub, o);
    clients.push(c);
    return c;
  }
  /** Sends a marker to one connection; when it arrives first, nothing else came before it. */
  async function marker(c: TestClient): Promise<void> {
    await rest(emu, "POST", `/api/hubs/${hub}/connections/${c.connectionId}/:send`, { body: "marker" });
  }

  describe("send to all", () => {
    it("delivers text/plain as dataType text to JSON clients and as a text frame to raw clients", async () => {
      const j = await json();
      const r = await raw();
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "Hello", contentType: "text/plain" });
      assert.equal(res.status, 202);
      assert.deepEqual(await j.nextJson(), { type: "message", from: "server", dataType: "text", data: "Hello" });
      assert.equal(await r.next(), "Hello");
    });

    it("delivers application/json as parsed data and as raw JSON text", async () => {
      const j = await json();
      const r = await raw();
      await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: '{"Hello":"World"}', contentType: "application/json" });
      assert.deepEqual(await j.nextJson(), { type: "message", from: "server", dataType: "json", data: { Hello: "World" } });
      assert.equal(await r.next(), '{"Hello":"World"}');
    });

    it("delivers octet-stream as base64 and as a binary frame", async () => {
      const j = await json();
      const r = await raw();
      const bytes = new Uint8Array([0, 1, 254, 255]);
      await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: bytes, contentType: "application/octet-stream" });
      const m = await j.nextJson();
      assert.equal(m.dataType, "binary");
      assert.deepEqual(Buffer.from(m.data, "base64"), Buffer.from(bytes));
      assert.deepEqual(await r.next(), Buffer.from(bytes));
    });

    it("treats a body without Content-Type as binary", async () => {
      const j = await json();
      // A Uint8Array body: fetch would label a string body text/plain.
      await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: Buffer.from("abc"), contentType: null });
      const m = await j.nextJson();
      assert.equal(m.dataType, "binary");
      assert.equal(Buffer.from(m.data, "base64").toString(), "abc");
    });

    it("rejects invalid JSON with 400", async () => {
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "{nope", contentType: "application/json" });
      assert.equal(res.status, 400);
      assert.equal(res.json.code, "Error.BadRequest");
    });

    it("rejects other content types with 415", async () => {
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "<x/>", contentType: "application/xml" });
      assert.equal(res.status, 415);
      assert.ok(res.json.message);
    });

    it("rejects a body over 1 MiB with 413 and keeps serving", async () => {
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: new Uint8Array(1024 * 1024 + 1), contentType: "application/octet-stream" });
      assert.equal(res.status, 413);
      const ok = await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: new Uint8Array(1024 * 1024), contentType: "application/octet-stream" });
      assert.equal(ok.status, 202);
    });

    it("skips every excluded connection (repeated parameter)", async () => {
      const a = await json();
      const b = await json();
      const c = await json();
      await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "x", query: { excluded: [a.connectionId, b.connectionId] } });
      assert.equal((await c.nextJson()).data, "x");
      await marker(a);
      await marker(b);
      assert.equal((await a.nextJson()).data, "marker");
      assert.equal((await b.nextJson()).data, "marker");
    });

    it("applies an OData filter", async () => {
      const alice = await json({ userId: "alice" });
      const bob = await json({ userId: "bob" });
      await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "for alice", query: { filter: "userId eq 'alice'" } });
      assert.equal((await alice.nextJson()).data, "for alice");
      await marker(bob);
      assert.equal((await bob.nextJson()).data, "marker");
    });

    it("filters on groups and protocol", async () => {
      const inGroup = await json({ groups: ["g1"] });
      const rawInGroup = await raw({ groups: ["g1"] });
      await rest(emu, "POST", `/api/hubs/${hub}/:send`, {
        body: "json in g1",
        query: { filter: "'g1' in groups and protocol eq 'json.webpubsub.azure.v1'" },
      });
      assert.equal((await inGroup.nextJson()).data, "json in g1");
      await marker(rawInGroup);
      assert.equal(await rawInGroup.next(), "marker");
    });

    it("rejects a bad filter with 400, target 'filter' and the position in the message", async () => {
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "x", query: { filter: "userId eq" } });
      assert.equal(res.status, 400);
      assert.equal(res.json.code, "Error.BadRequest");
      assert.equal(res.json.target, "filter");
      assert.match(res.json.message, /position \d+/);
    });

    it("validates messageTtlSeconds 0-300 and still delivers at once", async () => {
      const c = await json();
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "x", query: { messageTtlSeconds: "301" } })).status, 400);
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "x", query: { messageTtlSeconds: "-1" } })).json.target, "messageTtlSeconds");
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "ttl", query: { messageTtlSeconds: "300" } })).status, 202);
      assert.equal((await c.nextJson()).data, "ttl");
    });

    it("treats hub names case-insensitively", async () => {
      const c = await json();
      await rest(emu, "POST", `/api/hubs/${hub.toUpperCase()}/:send`, { body: "upper" });
      assert.equal((await c.nextJson()).data, "upper");
    });
  });

  describe("send to user, connection and group", () => {
    it("sends to every connection of a user and no one else", async () => {
      const a1 = await json({ userId: "a" });
      const a2 = await json({ userId: "a" });
      const b = await json({ userId: "b" });
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/users/a/:send`, { body: "to a" })).status, 202);
      assert.equal((await a1.nextJson()).data, "to a");
      assert.equal((await a2.nextJson()).data, "to a");
      await marker(b);
      assert.equal((await b.nextJson()).data, "marker");
    });

    it("applies a filter to a user send", async () => {
      const a1 = await json({ userId: "a", groups: ["vip"] });
      const a2 = await json({ userId: "a" });
      await rest(emu, "POST", `/api/hubs/${hub}/users/a/:send`, { body: "vip only", query: { filter: "'vip' in groups" } });
      assert.equal((await a1.nextJson()).data, "vip only");
      await marker(a2);
      assert.equal((await a2.nextJson()).data, "marker");
    });

    it("decodes %20 in a user id but keeps %2F literal", async () => {
      const spaced = await json({ userId: "a b" });
      const slashed = await json({ userId: "x%2Fy" });
      await rest(emu, "POST", `/api/hubs/${hub}/users/a%20b/:send`, { body: "space" });
      await rest(emu, "POST", `/api/hubs/${hub}/users/x%2Fy/:send`, { body: "slash" });
      assert.equal((await spaced.nextJson()).data, "space");
      assert.equal((await slashed.nextJson()).data, "slash");
    });

    it("sends to one connection; a missing one still answers 202", async () => {
      const a = await json();
      const b = await json();
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/connections/${a.connectionId}/:send`, { body: "only a" })).status, 202);
      assert.equal((await a.nextJson()).data, "only a");
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/connections/nobody/:send`, { body: "x" })).status, 202);
      await marker(b);
      assert.equal((await b.nextJson()).data, "marker");
    });

    it("sends to a group as a group message with fromUserId null", async () => {
      const member = await json({ groups: ["room"] });
      const outsider = await json();
      await rest(emu, "POST", `/api/hubs/${hub}/groups/room/:send`, { body: "hi room" });
      assert.deepEqual(await member.nextJson(), {
        type: "message",
        from: "group",
        group: "room",
        fromUserId: null,
        dataType: "text",
        data: "hi room",
      });
      await marker(outsider);
      assert.equal((await outsider.nextJson()).data, "marker");
    });

    it("applies excluded and filter to a group send", async () => {
      const a = await json({ userId: "a", groups: ["room"] });
      const b = await json({ userId: "b", groups: ["room"] });
      const c = await json({ userId: "c", groups: ["room"] });
      await rest(emu, "POST", `/api/hubs/${hub}/groups/room/:send`, {
        body: "x",
        query: { excluded: a.connectionId, filter: "userId ne 'b'" },
      });
      assert.equal((await c.nextJson()).data, "x");
      await marker(a);
      await marker(b);
      assert.equal((await a.nextJson()).data, "marker");
      assert.equal((await b.nextJson()).data, "marker");
    });

    it("rejects an all-whitespace group name with target 'group'", async () => {
      const res = await rest(emu, "POST", `/api/hubs/${hub}/groups/%20%20/:send`, { body: "x" });
      assert.equal(res.status, 400);
      assert.equal(res.json.target, "group");
    });

    it("rejects a group name over 1024 characters", async () => {
      const res = await rest(emu, "HEAD", `/api/hubs/${hub}/groups/${"g".repeat(1025)}`);
      assert.equal(res.status, 400);
    });
  });

  describe("existence checks", () => {
    it("HEAD connection, group and user answer 200 and 404 without a body", async () => {
      const c = await json({ userId: "u", groups: ["g"] });
      const yes = await Promise.all([
        rest(emu, "HEAD", `/api/hubs/${hub}/connections/${c.connectionId}`),
        rest(emu, "HEAD", `/api/hubs/${hub}/groups/g`),
        rest(emu, "HEAD", `/api/hubs/${hub}/users/u`),
      ]);
      assert.deepEqual(yes.map((r) => r.status), [200, 200, 200]);
      const no = await Promise.all([
        rest(emu, "HEAD", `/api/hubs/${hub}/connections/missing`),
        rest(emu, "HEAD", `/api/hubs/${hub}/groups/none`),
        rest(emu, "HEAD", `/api/hubs/${hub}/users/nobody`),
      ]);
      assert.deepEqual(no.map((r) => r.status), [404, 404, 404]);
      assert.deepEqual(no.map((r) => r.text), ["", "", ""]);
    });

    it("forgets a connection, its user and its groups once it closes", async () => {
      const c = await json({ userId: "gone", groups: ["g"] });
      c.close();
      await eventually(() => emu.connections(hub).length === 0);
      assert.equal((await rest(emu, "HEAD", `/api/hubs/${hub}/users/gone`)).status, 404);
      assert.equal((await rest(emu, "HEAD", `/api/hubs/${hub}/groups/g`)).status, 404);
      assert.equal((await rest(emu, "HEAD", `/api/hubs/${hub}/connections/${c.connectionId}`)).status, 404);
    });
  });

  describe("group membership", () => {
    it("PUT adds a connection to a group (200) and DELETE removes it (204)", async () => {
      const c = await json();
      assert.equal((await rest(emu, "PUT", `/api/hubs/${hub}/groups/g/connections/${c.connectionId}`)).status, 200);
      await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send`, { body: "in" });
      assert.equal((await c.nextJson()).data, "in");
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/groups/g/connections/${c.connectionId}`)).status, 204);
      await rest(emu, "POST", `/api/hubs/${hub}/groups/g/:send`, { body: "out" });
      await marker(c);
      assert.equal((await c.nextJson()).data, "marker");
    });

    it("PUT on a missing connection answers 404; DELETE answers 204", async () => {
      assert.equal((await rest(emu, "PUT", `/api/hubs/${hub}/groups/g/connections/missing`)).status, 404);
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/groups/g/connections/missing`)).status, 204);
    });

    it("DELETE connections/{id}/groups removes the connection from every group", async () => {
      const c = await json({ groups: ["a", "b"] });
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${c.connectionId}/groups`)).status, 204);
      assert.deepEqual(emu.connections(hub)[0]!.groups, []);
    });

    it("adds and removes a user's connections, 404 when the user has none", async () => {
      const a1 = await json({ userId: "a" });
      const a2 = await json({ userId: "a" });
      const b = await json({ userId: "b" });
      assert.equal((await rest(emu, "PUT", `/api/hubs/${hub}/users/a/groups/g`)).status, 200);
      const groupsOf = (id: string) => emu.connections(hub).find((c) => c.connectionId === id)!.groups;
      assert.deepEqual(groupsOf(a1.connectionId), ["g"]);
      assert.deepEqual(groupsOf(a2.connectionId), ["g"]);
      assert.deepEqual(groupsOf(b.connectionId), []);
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/users/a/groups/g`)).status, 204);
      assert.deepEqual(groupsOf(a1.connectionId), []);
      assert.equal((await rest(emu, "PUT", `/api/hubs/${hub}/users/nobody/groups/g`)).status, 404);
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/users/nobody/groups/g`)).status, 204);
    });

    it("DELETE users/{id}/groups removes the user from every group", async () => {
      const a = await json({ userId: "a", groups: ["x", "y"] });
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/users/a/groups`)).status, 204);
      assert.deepEqual(emu.connections(hub).find((c) => c.connectionId === a.connectionId)!.groups, []);
    });

    it(":addToGroups adds the connections a filter picks", async () => {
      const a = await json({ userId: "a" });
      const b = await json({ userId: "b" });
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, {
        body: JSON.stringify({ groups: ["g1", "g2"], filter: "userId eq 'a'" }),
        contentType: "application/json",
      });
      assert.equal(res.status, 200);
      const groupsOf = (id: string) => emu.connections(hub).find((c) => c.connectionId === id)!.groups.sort();
      assert.deepEqual(groupsOf(a.connectionId), ["g1", "g2"]);
      assert.deepEqual(groupsOf(b.connectionId), []);
    });

    it(":addToGroups with no filter (or an empty one) adds everyone; :removeFromGroups removes", async () => {
      await json();
      await json();
      await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, { body: JSON.stringify({ groups: ["all"] }), contentType: "application/json" });
      assert.ok(emu.connections(hub).every((c) => c.groups.includes("all")));
      await rest(emu, "POST", `/api/hubs/${hub}/:removeFromGroups`, {
        body: JSON.stringify({ groups: ["all"], filter: "" }),
        contentType: "application/json",
      });
      assert.ok(emu.connections(hub).every((c) => c.groups.length === 0));
    });

    it(":addToGroups rejects a bad filter, bad groups and a non-JSON body", async () => {
      const badFilter = await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, {
        body: JSON.stringify({ groups: ["g"], filter: "userId eq eq" }),
        contentType: "application/json",
      });
      assert.equal(badFilter.status, 400);
      assert.equal(badFilter.json.target, "filter");
      const badGroups = await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, {
        body: JSON.stringify({ groups: ["  "] }),
        contentType: "application/json",
      });
      assert.equal(badGroups.status, 400);
      assert.equal(badGroups.json.target, "groups");
      const notJson = await rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, { body: "{", contentType: "application/json" });
      assert.equal(notJson.status, 400);
    });
  });

  describe("listing group connections", () => {
    it("pages with maxpagesize and follows an absolute nextLink carrying api-version", async () => {
      const members = [];
      for (let i = 0; i < 5; i++) members.push(await json({ userId: `u${i}`, groups: ["room"] }));
      await json({ userId: "outsider" });
      const seen: { connectionId: string; userId?: string }[] = [];
      let res = await rest(emu, "GET", `/api/hubs/${hub}/groups/room/connections`, { query: { maxpagesize: "2" } });
      const links: string[] = [];
      for (;;) {
        assert.equal(res.status, 200);
        assert.ok(res.json.value.length <= 2);
        seen.push(...res.json.value);
        if (!res.json.nextLink) break;
        links.push(res.json.nextLink);
        res = await restUrl("GET", res.json.nextLink);
      }
      assert.equal(links.length, 2);
      const link = new URL(links[0]!);
      assert.equal(link.searchParams.get("maxpagesize"), "2");
      assert.equal(link.searchParams.get("api-version"), API_VERSION);
      assert.ok(link.searchParams.get("continuationToken"));
      assert.deepEqual(
        seen.map((m) => m.connectionId),
        members.map((m) => m.connectionId),
      );
      assert.deepEqual(seen.map((m) => m.userId), ["u0", "u1", "u2", "u3", "u4"]);
    });

    for (const group of ["a b", "100%", "%41", "a+b?c#d", "ü é"]) {
      it(`encodes the group name once in nextLink (${JSON.stringify(group)}) and the link lists the same group`, async () => {
        const members = [];
        for (let i = 0; i < 3; i++) members.push(await json({ groups: [group] }));
        await json({ groups: [`${group}x`] });
        const path = `/api/hubs/${hub}/groups/${encodeURIComponent(group)}/connections`;
        let res = await rest(emu, "GET", path, { query: { maxpagesize: "1" } });
        const seen: string[] = [];
        for (;;) {
          assert.equal(res.status, 200);
          seen.push(...res.json.value.map((m: { connectionId: string }) => m.connectionId));
          if (!res.json.nextLink) break;
          const link = new URL(res.json.nextLink);
          assert.equal(link.pathname, path, "the path is the request's, encoded once");
          res = await restUrl("GET", res.json.nextLink);
        }
        assert.deepEqual(seen, members.map((m) => m.connectionId));
      });
    }

    it("stops after top items in total", async () => {
      for (let i = 0; i < 5; i++) await json({ groups: ["room"] });
      let res = await rest(emu, "GET", `/api/hubs/${hub}/groups/room/connections`, { query: { maxpagesize: "2", top: "3" } });
      let total = res.json.value.length;
      while (res.json.nextLink) {
        res = await restUrl("GET", res.json.nextLink);
        total += res.json.value.length;
      }
      assert.equal(total, 3);
    });

    it("returns an empty page for an empty group and validates paging parameters", async () => {
      const empty = await rest(emu, "GET", `/api/hubs/${hub}/groups/none/connections`);
      assert.deepEqual(empty.json, { value: [] });
      for (const [name, value] of [["maxpagesize", "0"], ["maxpagesize", "201"], ["top", "0"], ["continuationToken", "garbage"]] as const) {
        const r = await rest(emu, "GET", `/api/hubs/${hub}/groups/g/connections`, { query: { [name]: value } });
        assert.equal(r.status, 400, `${name}=${value}`);
        assert.equal(r.json.target, name);
      }
    });
  });

  describe("closing connections", () => {
    it("DELETE connection sends system/disconnected with the reason, then closes with 1000", async () => {
      const c = await json();
      const res = await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${c.connectionId}`, { query: { reason: "bye now" } });
      assert.equal(res.status, 204);
      assert.deepEqual(await c.nextJson(), { type: "system", event: "disconnected", message: "bye now" });
      assert.equal((await c.closed).code, 1000);
    });

    it("uses the default reason 'Closed by REST API.'", async () => {
      const c = await json();
      await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${c.connectionId}`);
      assert.equal((await c.nextJson()).message, "Closed by REST API.");
    });

    it("cuts a long reason to the 123-byte close-frame limit and sends it whole in system/disconnected", async () => {
      const c = await json();
      const why = "é".repeat(600);
      await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${c.connectionId}`, { query: { reason: why } });
      assert.equal((await c.nextJson()).message, why);
      const { code, reason } = await c.closed;
      assert.equal(code, 1000);
      assert.equal(reason, "é".repeat(61));
    });

    it("truncates a close reason in time linear in its length", function () {
      this.timeout(5000);
      const started = Date.now();
      assert.equal(truncateUtf8("x".repeat(200_000), 123), "x".repeat(123));
      assert.ok(Date.now() - started < 200, `took ${Date.now() - started} ms`);
    });

    it("closes a raw client with 1000 and no JSON message", async () => {
      const c = await raw();
      await rest(emu, "DELETE", `/api/hubs/${hub}/connections/${c.connectionId}`);
      assert.equal((await c.closed).code, 1000);
      assert.equal(c.pending, 0);
    });

    it(":closeConnections closes all but the excluded", async () => {
      const a = await json();
      const b = await json();
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:closeConnections`, { query: { excluded: a.connectionId, reason: "all" } });
      assert.equal(res.status, 204);
      assert.equal((await b.closed).code, 1000);
      assert.equal(emu.connections(hub).length, 1);
      assert.equal(emu.connections(hub)[0]!.connectionId, a.connectionId);
    });

    it("closes a group's and a user's connections", async () => {
      const g = await json({ groups: ["room"] });
      const u = await json({ userId: "u" });
      const keep = await json({ userId: "v" });
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/groups/room/:closeConnections`)).status, 204);
      assert.equal((await g.closed).code, 1000);
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/users/u/:closeConnections`)).status, 204);
      assert.equal((await u.closed).code, 1000);
      assert.deepEqual(emu.connections(hub).map((c) => c.connectionId), [keep.connectionId]);
    });

    it("answers 204 for closes of missing targets", async () => {
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/connections/missing`)).status, 204);
      assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/users/missing/:closeConnections`)).status, 204);
    });
  });

  describe("permissions", () => {
    it("grants, checks and revokes sendToGroup on one group", async () => {
      const c = await json({ groups: ["room"] });
      const path = `/api/hubs/${hub}/permissions/sendToGroup/connections/${c.connectionId}`;
      assert.equal((await rest(emu, "HEAD", path, { query: { targetName: "room" } })).status, 404);
      assert.equal((await rest(emu, "PUT", path, { query: { targetName: "room" } })).status, 200);
      assert.equal((await rest(emu, "HEAD", path, { query: { targetName: "room" } })).status, 200);
      assert.equal((await rest(emu, "HEAD", path, { query: { targetName: "other" } })).status, 404);
      const ok = await c.request({ type: "sendToGroup", group: "room", ackId: 1, dataType: "text", data: "hi" });
      assert.equal(ok.success, true);
      assert.equal((await rest(emu, "DELETE", path, { query: { targetName: "room" } })).status, 204);
      assert.equal((await rest(emu, "HEAD", path, { query: { targetName: "room" } })).status, 404);
      const denied = await c.request({ type: "sendToGroup", group: "room", ackId: 2, dataType: "text", data: "hi" });
      assert.equal(denied.error.name, "Forbidden");
    });

    it("a grant without targetName covers every group", async () => {
      const c = await json();
      const path = `/api/hubs/${hub}/permissions/joinLeaveGroup/connections/${c.connectionId}`;
      assert.equal((await rest(emu, "PUT", path)).status, 200);
      assert.equal((await rest(emu, "HEAD", path)).status, 200);
      assert.equal((await rest(emu, "HEAD", path, { query: { targetName: "any" } })).status, 200);
      assert.equal((await c.request({ type: "joinGroup", group: "any", ackId: 1 })).success, true);
    });

    it("validates the permission name and a missing connection", async () => {
      const c = await json();
      const bad = await rest(emu, "PUT", `/api/hubs/${hub}/permissions/fly/connections/${c.connectionId}`);
      assert.equal(bad.status, 400);
      assert.equal(bad.json.target, "permission");
      assert.equal((await rest(emu, "PUT", `/api/hubs/${hub}/permissions/sendToGroup/connections/missing`)).status, 404);
      assert.equal((await rest(emu, "HEAD", `/api/hubs/${hub}/permissions/sendToGroup/connections/missing`)).status, 404);
      assert.equal((await rest(emu, "DELETE", `/api/hubs/${hub}/permissions/sendToGroup/connections/missing`)).status, 204);
    });
  });

  describe(":generateToken", () => {
    it("mints a client token that connects with the requested user, roles and groups", async () => {
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:generateToken`, {
        query: { userId: "tok", role: ["webpubsub.sendToGroup", "webpubsub.joinLeaveGroup"], group: ["g1", "g2"], minutesToExpire: "5" },
      });
      assert.equal(res.status, 200);
      const { claims } = decodeJwt(res.json.token);
      assert.equal(claims["sub"], "tok");
      assert.equal(claims["aud"], `http://127.0.0.1:${emu.port}/client/hubs/${hub}`);
      assert.equal((claims["exp"] as number) - (claims["iat"] as number), 300);
      const c = new TestClient(`ws://127.0.0.1:${emu.port}/client/hubs/${hub}?access_token=${res.json.token}`, JSON_SUBPROTOCOL);
      clients.push(c);
      const connected = await c.nextJson();
      assert.equal(connected.userId, "tok");
      assert.deepEqual(emu.connections(hub)[0]!.groups.sort(), ["g1", "g2"]);
      assert.equal((await c.request({ type: "sendToGroup", group: "x", ackId: 1, dataType: "json", data: 1 })).success, true);
    });

    it("refuses MQTT tokens, which no emulator endpoint would accept, and validates its parameters", async () => {
      const mqtt = await rest(emu, "POST", `/api/hubs/${hub}/:generateToken`, { query: { clientType: "MQTT" } });
      assert.equal(mqtt.status, 400);
      assert.equal(mqtt.json.target, "clientType");
      assert.match(mqtt.json.message, /does not serve MQTT/);
      assert.equal(mqtt.json.token, undefined);
      const bad = await rest(emu, "POST", `/api/hubs/${hub}/:generateToken`, { query: { minutesToExpire: "0" } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.target, "minutesToExpire");
      const badType = await rest(emu, "POST", `/api/hubs/${hub}/:generateToken`, { query: { clientType: "Pigeon" } });
      assert.equal(badType.json.target, "clientType");
    });

    it("is rejected without auth", async () => {
      const res = await rest(emu, "POST", `/api/hubs/${hub}/:generateToken`, { token: null });
      assert.equal(res.status, 401);
      assert.equal(res.json.token, undefined);
    });
  });

  it("keeps serving after a burst of bad requests", async () => {
    const bad = await Promise.all([
      rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "{", contentType: "application/json" }),
      rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "x", query: { filter: "((((" } }),
      rest(emu, "GET", `/api/hubs/${hub}/groups/%E0%A4%A/connections`),
      rest(emu, "POST", `/api/hubs/${hub}/:addToGroups`, { body: "[1]", contentType: "application/json" }),
      fetch(`http://127.0.0.1:${emu.port}/api/hubs/${hub}/:send`, { method: "POST", body: "x", headers: { authorization: "Bearer not.a.jwt" } }),
    ]);
    assert.deepEqual(bad.map((r) => r.status), [400, 400, 404, 400, 401]);
    const token = clientToken(emu, hub);
    assert.ok(token);
    assert.equal((await rest(emu, "POST", `/api/hubs/${hub}/:send`, { body: "alive" })).status, 202);
  });
});
