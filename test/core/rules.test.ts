import assert from "node:assert/strict";
import {
  groupProblem,
  isValidEventName,
  isValidGroup,
  isValidHub,
  isValidTtl,
  normalizeHub,
  parsePermission,
  parseRole,
  roleFor,
} from "../../src/core/index.js";

describe("core/rules", () => {
  it("accepts hub names of a letter then up to 127 allowed characters", () => {
    for (const hub of ["a", "Chat_1", "a`,.[]", "a".repeat(128)]) assert.equal(isValidHub(hub), true, hub);
    for (const hub of ["", "1a", "_a", "a-b", "a b", "a/b", "a".repeat(129), 7, null]) assert.equal(isValidHub(hub), false, String(hub));
    assert.equal(normalizeHub("ChAt"), "chat");
  });

  it("accepts groups of 1-1024 characters that are not only whitespace", () => {
    assert.equal(isValidGroup("g"), true);
    assert.equal(isValidGroup(" g "), true);
    assert.equal(isValidGroup("x".repeat(1024)), true);
    for (const g of ["", "   ", "x".repeat(1025), 3]) assert.equal(isValidGroup(g), false, String(g).slice(0, 10));
    assert.match(groupProblem("x".repeat(1025)) ?? "", /1-1024/);
    assert.match(groupProblem("  ") ?? "", /whitespace/);
    assert.equal(groupProblem("ok"), undefined);
  });

  it("accepts event names case-insensitively and refuses others", () => {
    for (const e of ["message", "Chat.v2", "a-b_c"]) assert.equal(isValidEventName(e), true, e);
    for (const e of ["", "1a", "a b", "a/b", "a".repeat(129)]) assert.equal(isValidEventName(e), false, e);
  });

  it("bounds messageTtlSeconds to integers 0-300", () => {
    for (const t of [0, 1, 300]) assert.equal(isValidTtl(t), true);
    for (const t of [-1, 301, 1.5, "5", NaN]) assert.equal(isValidTtl(t), false, String(t));
  });

  it("parses permission names case-insensitively", () => {
    assert.equal(parsePermission("SENDTOGROUP"), "sendToGroup");
    assert.equal(parsePermission("joinleavegroup"), "joinLeaveGroup");
    assert.equal(parsePermission("fly"), undefined);
  });

  it("builds and parses the three role shapes, the group keeping its dots", () => {
    assert.equal(roleFor("sendToGroup"), "webpubsub.sendToGroup");
    assert.equal(roleFor("sendToGroup", { group: "a.b" }), "webpubsub.sendToGroup.a.b");
    assert.equal(roleFor("joinLeaveGroup", { pattern: "room.*" }), "webpubsub.joinLeaveGroups.room.*");
    assert.deepEqual(parseRole(roleFor("sendToGroup")), { kind: "all", permission: "sendToGroup" });
    assert.deepEqual(parseRole("WebPubSub.SendToGroup.a.b"), { kind: "group", permission: "sendToGroup", group: "a.b" });
    assert.deepEqual(parseRole(roleFor("joinLeaveGroup", { pattern: "room.*" })), { kind: "pattern", permission: "joinLeaveGroup", pattern: "room.*" });
    for (const r of ["webpubsub.sendToGroup.", "webpubsub.fly", "admin", ""]) assert.deepEqual(parseRole(r), { kind: "unknown" }, r);
  });
});
