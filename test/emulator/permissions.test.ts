import assert from "node:assert/strict";
import type { Emulator } from "../../src/emulator/index.js";
import { compileWildcard, parsePermission, Permissions, WildcardPattern } from "../../src/emulator/permissions.js";
import { connectJson, rest, start, clientsClosedAfterEach } from "./helpers.js";

describe("emulator permissions", () => {
  describe("roles", () => {
    it("grants nothing on groups without roles", () => {
      const p = new Permissions([]);
      assert.equal(p.allows("joinLeaveGroup", "g"), false);
      assert.equal(p.allows("sendToGroup", "g"), false);
    });

    it("grants one action on any group with the plain role", () => {
      const p = new Permissions(["webpubsub.sendToGroup"]);
      assert.equal(p.allows("sendToGroup", "anything"), true);
      assert.equal(p.allows("joinLeaveGroup", "anything"), false);
    });

    it("grants a literal group with .<group>, dots included", () => {
      const p = new Permissions(["webpubsub.joinLeaveGroup.room.a"]);
      assert.equal(p.allows("joinLeaveGroup", "room.a"), true);
      assert.equal(p.allows("joinLeaveGroup", "room"), false);
      assert.equal(p.allows("joinLeaveGroup", "room.b"), false);
    });

    it("matches plural wildcard roles: ? and * stop at dots, ** crosses them", () => {
      const p = new Permissions(["webpubsub.sendToGroups.chat.*", "webpubsub.joinLeaveGroups.a?c.**"]);
      assert.equal(p.allows("sendToGroup", "chat.room1"), true);
      assert.equal(p.allows("sendToGroup", "chat."), true);
      assert.equal(p.allows("sendToGroup", "chat.room1.sub"), false);
      assert.equal(p.allows("sendToGroup", "Chat.room1"), false, "case-sensitive");
      assert.equal(p.allows("joinLeaveGroup", "abc.x.y.z"), true);
      assert.equal(p.allows("joinLeaveGroup", "a.c.x"), false, "? does not match a dot");
      // The plural role must not be read as the singular one with group "s.chat.*".
      assert.equal(p.allows("sendToGroup", "s.chat.x"), false);
    });

    it("escapes wildcard characters with a backslash", () => {
      const re = compileWildcard("a\\*b");
      assert.ok(re instanceof WildcardPattern);
      assert.equal(re.test("a*b"), true);
      assert.equal(re.test("axb"), false);
    });

    it("matches a client's group against a many-star pattern in time linear in the group", function () {
      this.timeout(5000);
      // A backtracking regex needs about n^4-n^5 steps here (seconds at 200-300 characters);
      // a 1024-character group, the longest valid one, would block the process for hours.
      const p = new Permissions(["webpubsub.joinLeaveGroups.**.**.**.**.**x", "webpubsub.sendToGroups.*a*a*a*a*b"]);
      const started = Date.now();
      assert.equal(p.allows("joinLeaveGroup", ".".repeat(200)), false);
      assert.equal(p.allows("sendToGroup", "a".repeat(300)), false);
      assert.equal(p.allows("joinLeaveGroup", `${".".repeat(200)}x`), true);
      assert.equal(p.allows("sendToGroup", `${"a".repeat(1024)}b`), true);
      assert.ok(Date.now() - started < 200, `took ${Date.now() - started} ms`);
    });

    it("ignores patterns with more than five *, reporting them", () => {
      const bad: string[] = [];
      const p = new Permissions(["webpubsub.sendToGroups.*.*.*.*.*.*"], (role) => bad.push(role));
      assert.deepEqual(bad, ["webpubsub.sendToGroups.*.*.*.*.*.*"]);
      assert.equal(p.allows("sendToGroup", "a.b.c.d.e.f"), false);
    });

    it("parses the REST permission names case-insensitively and nothing else", () => {
      assert.equal(parsePermission("SendToGroup"), "sendToGroup");
      assert.equal(parsePermission("joinLeaveGroup"), "joinLeaveGroup");
      assert.equal(parsePermission("admin"), undefined);
    });
  });

  describe("grant and revoke", () => {
    it("a revoke on a literal group overrides a wildcard role for that group only", () => {
      const p = new Permissions(["webpubsub.sendToGroups.chat.*"]);
      p.revoke("sendToGroup", "chat.secret");
      assert.equal(p.allows("sendToGroup", "chat.secret"), false);
      assert.equal(p.allows("sendToGroup", "chat.open"), true);
    });

    it("a revoke on a literal group overrides the global role; a later grant restores it", () => {
      const p = new Permissions(["webpubsub.joinLeaveGroup"]);
      p.revoke("joinLeaveGroup", "g");
      assert.equal(p.allows("joinLeaveGroup", "g"), false);
      assert.equal(p.check("joinLeaveGroup", undefined), false, "no longer on every group");
      p.grant("joinLeaveGroup", "g");
      assert.equal(p.allows("joinLeaveGroup", "g"), true);
    });

    it("a revoke without target removes roles, literals and wildcards", () => {
      const p = new Permissions(["webpubsub.sendToGroup", "webpubsub.sendToGroup.x", "webpubsub.sendToGroups.y.*"]);
      p.revoke("sendToGroup", undefined);
      for (const g of ["x", "y.z", "other"]) assert.equal(p.allows("sendToGroup", g), false, g);
    });

    it("check without target is true only for the every-group permission", () => {
      const p = new Permissions(["webpubsub.sendToGroup.x"]);
      assert.equal(p.check("sendToGroup", undefined), false);
      assert.equal(p.check("sendToGroup", "x"), true);
      p.grant("sendToGroup", undefined);
      assert.equal(p.check("sendToGroup", undefined), true);
    });
  });

  describe("enforced on a live connection", () => {
    let emu: Emulator;
    const clients = clientsClosedAfterEach();
    before(async () => {
      emu = await start();
    });
    after(() => emu.close());

    it("REST revoke on a literal group beats a token wildcard, and the check API agrees", async () => {
      const c = await connectJson(emu, "perm", { roles: ["webpubsub.sendToGroups.team.*"] });
      clients.push(c);
      const path = `/api/hubs/perm/permissions/sendToGroup/connections/${c.connectionId}`;
      assert.equal((await rest(emu, "HEAD", path, { query: { targetName: "team.a" } })).status, 200);
      assert.equal((await rest(emu, "DELETE", path, { query: { targetName: "team.a" } })).status, 204);
      assert.equal((await rest(emu, "HEAD", path, { query: { targetName: "team.a" } })).status, 404);
      assert.equal((await c.request({ type: "sendToGroup", group: "team.a", ackId: 1, dataType: "json", data: 1 })).error.name, "Forbidden");
      assert.equal((await c.request({ type: "sendToGroup", group: "team.b", ackId: 2, dataType: "json", data: 1 })).success, true);
    });

    it("a joinLeaveGroup.<group> role allows only that group", async () => {
      const c = await connectJson(emu, "perm", { roles: ["webpubsub.joinLeaveGroup.lobby"] });
      clients.push(c);
      assert.equal((await c.request({ type: "joinGroup", group: "lobby", ackId: 1 })).success, true);
      assert.equal((await c.request({ type: "joinGroup", group: "vault", ackId: 2 })).error.name, "Forbidden");
      assert.equal((await c.request({ type: "leaveGroup", group: "lobby", ackId: 3 })).success, true);
    });
  });
});
