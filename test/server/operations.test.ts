// Every operation's exact request: method, encoded path, query, content type, body and REST auth.
import assert from "node:assert/strict";
import { WebPubSubServiceClient, DEFAULT_API_VERSION } from "../../src/index.js";
import { assertRestAuth, intercept, newClient, setupNock, type Captured, type Reply } from "./support.js";

setupNock();

interface Case {
  name: string;
  call: (c: WebPubSubServiceClient) => Promise<unknown>;
  reply: Reply;
  path: string;
  query?: [string, string][];
  contentType?: string;
  body?: string;
  result?: unknown;
}

const V: [string, string] = ["api-version", DEFAULT_API_VERSION];
const H = "/api/hubs/chat";

const cases: Case[] = [
  { name: "sendToAll sends a string as text/plain", call: (c) => c.sendToAll("hello"), reply: { method: "POST", status: 202 }, path: `${H}/:send`, contentType: "text/plain", body: "hello" },
  {
    name: "sendToAll repeats excluded and passes filter and messageTtlSeconds",
    call: (c) => c.sendToAll({ a: 1 }, { excludedConnections: ["c1", "c 2"], filter: "userId eq 'x'", messageTtlSeconds: 30 }),
    reply: { method: "POST", status: 202 },
    path: `${H}/:send`,
    query: [["excluded", "c1"], ["excluded", "c 2"], ["filter", "userId eq 'x'"], ["messageTtlSeconds", "30"]],
    contentType: "application/json",
    body: '{"a":1}',
  },
  {
    name: "sendToAll sends bytes as application/octet-stream",
    call: (c) => c.sendToAll(new Uint8Array([0x68, 0x69])),
    reply: { method: "POST", status: 202 },
    path: `${H}/:send`,
    contentType: "application/octet-stream",
    body: "hi",
  },
  {
    name: "sendToUser encodes the user id and passes filter and ttl",
    call: (c) => c.sendToUser("a/b c", "m", { filter: "connectionId ne 'z'", messageTtlSeconds: 0 }),
    reply: { method: "POST", status: 202 },
    path: `${H}/users/a%2Fb%20c/:send`,
    query: [["filter", "connectionId ne 'z'"], ["messageTtlSeconds", "0"]],
    contentType: "text/plain",
    body: "m",
  },
  {
    name: "sendToGroup encodes the group and repeats excluded",
    call: (c) => c.sendToGroup("a b/c", [1, 2], { excludedConnections: ["x", "y"], filter: "userId eq null" }),
    reply: { method: "POST", status: 202 },
    path: `${H}/groups/a%20b%2Fc/:send`,
    query: [["excluded", "x"], ["excluded", "y"], ["filter", "userId eq null"]],
    contentType: "application/json",
    body: "[1,2]",
  },
  {
    name: "sendToConnection passes messageTtlSeconds",
    call: (c) => c.sendToConnection("conn-1", '{"k":true}', { contentType: "application/json", messageTtlSeconds: 300 }),
    reply: { method: "POST", status: 202 },
    path: `${H}/connections/conn-1/:send`,
    query: [["messageTtlSeconds", "300"]],
    contentType: "application/json",
    body: '{"k":true}',
  },
  { name: "addUserToGroup PUTs the user-group path", call: (c) => c.addUserToGroup("g 1", "u1"), reply: { method: "PUT", status: 200 }, path: `${H}/users/u1/groups/g%201` },
  { name: "removeUserFromGroup DELETEs the user-group path", call: (c) => c.removeUserFromGroup("g1", "u 1"), reply: { method: "DELETE", status: 204 }, path: `${H}/users/u%201/groups/g1` },
  { name: "removeUserFromAllGroups DELETEs the user's groups", call: (c) => c.removeUserFromAllGroups("u1"), reply: { method: "DELETE", status: 204 }, path: `${H}/users/u1/groups` },
  { name: "addConnectionToGroup PUTs the group-connection path", call: (c) => c.addConnectionToGroup("a b/c", "c1"), reply: { method: "PUT", status: 200 }, path: `${H}/groups/a%20b%2Fc/connections/c1` },
  { name: "removeConnectionFromGroup DELETEs the group-connection path", call: (c) => c.removeConnectionFromGroup("g", "c1"), reply: { method: "DELETE", status: 204 }, path: `${H}/groups/g/connections/c1` },
  { name: "removeConnectionFromAllGroups DELETEs the connection's groups", call: (c) => c.removeConnectionFromAllGroups("c1"), reply: { method: "DELETE", status: 204 }, path: `${H}/connections/c1/groups` },
  {
    name: "addConnectionsToGroups posts groups and filter as JSON",
    call: (c) => c.addConnectionsToGroups(["a", "b"], "userId eq 'u'"),
    reply: { method: "POST", status: 200 },
    path: `${H}/:addToGroups`,
    contentType: "application/json",
    body: '{"groups":["a","b"],"filter":"userId eq \'u\'"}',
  },
  {
    name: "removeConnectionsFromGroups posts groups and filter as JSON",
    call: (c) => c.removeConnectionsFromGroups(["a"], "'a' in groups"),
    reply: { method: "POST", status: 200 },
    path: `${H}/:removeFromGroups`,
    contentType: "application/json",
    body: '{"groups":["a"],"filter":"\'a\' in groups"}',
  },
  { name: "connectionExists maps 200 to true", call: (c) => c.connectionExists("c1"), reply: { method: "HEAD", status: 200 }, path: `${H}/connections/c1`, result: true },
  { name: "connectionExists maps 404 to false", call: (c) => c.connectionExists("c1"), reply: { method: "HEAD", status: 404 }, path: `${H}/connections/c1`, result: false },
  { name: "userExists HEADs the user", call: (c) => c.userExists("u 1"), reply: { method: "HEAD", status: 200 }, path: `${H}/users/u%201`, result: true },
  { name: "groupExists HEADs the group", call: (c) => c.groupExists("g/1"), reply: { method: "HEAD", status: 404 }, path: `${H}/groups/g%2F1`, result: false },
  { name: "getServiceStatus HEADs /api/health", call: (c) => c.getServiceStatus(), reply: { method: "HEAD", status: 200 }, path: `/api/health`, result: true },
  { name: "closeConnection passes reason", call: (c) => c.closeConnection("c1", { reason: "bye now" }), reply: { method: "DELETE", status: 204 }, path: `${H}/connections/c1`, query: [["reason", "bye now"]] },
  {
    name: "closeAllConnections repeats excluded and passes reason",
    call: (c) => c.closeAllConnections({ reason: "r", excludedConnections: ["a", "b"] }),
    reply: { method: "POST", status: 204 },
    path: `${H}/:closeConnections`,
    query: [["excluded", "a"], ["excluded", "b"], ["reason", "r"]],
  },
  {
    name: "closeUserConnections passes excluded and reason",
    call: (c) => c.closeUserConnections("u1", { reason: "r", excludedConnections: ["a"] }),
    reply: { method: "POST", status: 204 },
    path: `${H}/users/u1/:closeConnections`,
    query: [["excluded", "a"], ["reason", "r"]],
  },
  {
    name: "closeGroupConnections passes excluded",
    call: (c) => c.closeGroupConnections("g 1", { excludedConnections: ["a", "b"] }),
    reply: { method: "POST", status: 204 },
    path: `${H}/groups/g%201/:closeConnections`,
    query: [["excluded", "a"], ["excluded", "b"]],
  },
  {
    name: "grantPermission PUTs with targetName",
    call: (c) => c.grantPermission("c1", "sendToGroup", { targetName: "g 1" }),
    reply: { method: "PUT", status: 200 },
    path: `${H}/permissions/sendToGroup/connections/c1`,
    query: [["targetName", "g 1"]],
  },
  { name: "revokePermission DELETEs", call: (c) => c.revokePermission("c1", "joinLeaveGroup"), reply: { method: "DELETE", status: 204 }, path: `${H}/permissions/joinLeaveGroup/connections/c1` },
  {
    name: "checkPermission maps 404 to false",
    call: (c) => c.checkPermission("c1", "sendToGroup", { targetName: "g" }),
    reply: { method: "HEAD", status: 404 },
    path: `${H}/permissions/sendToGroup/connections/c1`,
    query: [["targetName", "g"]],
    result: false,
  },
  { name: "hasPermission is checkPermission", call: (c) => c.hasPermission("c1", "joinLeaveGroup"), reply: { method: "HEAD", status: 200 }, path: `${H}/permissions/joinLeaveGroup/connections/c1`, result: true },
  { name: "group(name).addUser PUTs the user-group path", call: (c) => c.group("room").addUser("u1"), reply: { method: "PUT", status: 200 }, path: `${H}/users/u1/groups/room` },
  { name: "group(name).addConnection PUTs the group-connection path", call: (c) => c.group("room").addConnection("c1"), reply: { method: "PUT", status: 200 }, path: `${H}/groups/room/connections/c1` },
  { name: "group(name).removeConnection DELETEs", call: (c) => c.group("room").removeConnection("c1"), reply: { method: "DELETE", status: 204 }, path: `${H}/groups/room/connections/c1` },
  { name: "group(name).removeUser DELETEs", call: (c) => c.group("room").removeUser("u1"), reply: { method: "DELETE", status: 204 }, path: `${H}/users/u1/groups/room` },
  { name: "group(name).sendToAll sends to the group", call: (c) => c.group("room").sendToAll("x"), reply: { method: "POST", status: 202 }, path: `${H}/groups/room/:send`, contentType: "text/plain", body: "x" },
  { name: "group(name).closeAllConnections closes the group", call: (c) => c.group("room").closeAllConnections({ reason: "r" }), reply: { method: "POST", status: 204 }, path: `${H}/groups/room/:closeConnections`, query: [["reason", "r"]] },
  { name: "group(name).exists HEADs the group", call: (c) => c.group("room").exists(), reply: { method: "HEAD", status: 200 }, path: `${H}/groups/room`, result: true },
];

function check(req: Captured, c: Case): void {
  assert.equal(req.method, c.reply.method);
  assert.equal(req.path, c.path);
  assert.deepEqual(req.query, [...(c.query ?? []), V]);
  if (c.contentType !== undefined) assert.equal(req.headers["content-type"], c.contentType);
  if (c.body !== undefined) assert.equal(req.body, c.body);
  else assert.equal(req.body, "");
  assertRestAuth(req);
}

describe("WebPubSubServiceClient operations", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const { captured, scope } = intercept([c.reply]);
      const result = await c.call(newClient());
      scope.done();
      assert.equal(captured.length, 1);
      check(captured[0]!, c);
      assert.deepEqual(result, c.result);
    });
  }

  it("keeps the hub's case in the path", async () => {
    const { captured, scope } = intercept([{ method: "POST", status: 202 }]);
    await newClient("MyHub_1").sendToAll("x");
    scope.done();
    assert.equal(captured[0]!.path, "/api/hubs/MyHub_1/:send");
  });

  it("sends the configured apiVersion", async () => {
    const { captured, scope } = intercept([{ method: "HEAD", status: 200 }]);
    await newClient("chat", { apiVersion: "2024-01-01" }).userExists("u");
    scope.done();
    assert.deepEqual(captured[0]!.query, [["api-version", "2024-01-01"]]);
  });
});
