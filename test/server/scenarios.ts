// Scenarios shared by `npm run record` (live service or emulator) and the replay tests.
// Each returns a JSON-able outcome that the recording stores and the replay compares.
import { ServiceError } from "../../src/index.js";
import type { WebPubSubServiceClient } from "../../src/index.js";

/** Live connections opened before a scenario: alice (two connections) and bob. */
export interface ScenarioContext {
  alice1: string;
  alice2: string;
  bob: string;
}

export type Scenario = (client: WebPubSubServiceClient, ctx: ScenarioContext) => Promise<unknown>;

/** A group name that needs path encoding. */
export const GROUP = "room a/b";

async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = await run();
    return { ok: value === undefined ? null : value };
  } catch (e) {
    if (e instanceof ServiceError) return { error: { statusCode: e.statusCode, serviceCode: e.serviceCode ?? null, target: e.target ?? null } };
    throw e;
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const s = (body: Scenario): Scenario => (client, ctx) => outcome(() => body(client, ctx));

export const scenarios: Record<string, Scenario> = {
  "sendToAll-text": s((c) => c.sendToAll("hello")),
  "sendToAll-json-options": s((c, x) => c.sendToAll({ greeting: "hi" }, { excludedConnections: [x.bob, x.alice2], filter: "userId eq 'alice'", messageTtlSeconds: 30 })),
  "sendToAll-binary": s((c) => c.sendToAll(new Uint8Array([0, 1, 2, 255]))),
  "sendToUser-filter": s((c, x) => c.sendToUser("alice", "only one", { filter: `connectionId eq '${x.alice1}'`, messageTtlSeconds: 0 })),
  "sendToConnection-json-text": s((c, x) => c.sendToConnection(x.bob, '{"a":1}', { contentType: "application/json" })),
  "sendToGroup-excluded": s(async (c, x) => {
    await c.addConnectionToGroup(GROUP, x.alice1);
    await c.sendToGroup(GROUP, "to the room", { excludedConnections: [x.bob] });
  }),
  "connection-groups": s(async (c, x) => [
    await c.groupExists(GROUP),
    await c.addConnectionToGroup(GROUP, x.alice1).then(() => "added"),
    await c.groupExists(GROUP),
    await c.removeConnectionFromGroup(GROUP, x.alice1).then(() => "removed"),
    await c.removeConnectionFromAllGroups(x.alice1).then(() => "removed all"),
  ]),
  "user-groups": s(async (c) => [
    await c.addUserToGroup(GROUP, "alice").then(() => "added"),
    await c.groupExists(GROUP),
    await c.removeUserFromGroup(GROUP, "alice").then(() => "removed"),
    await c.removeUserFromAllGroups("alice").then(() => "removed all"),
  ]),
  "filter-groups": s(async (c) => [
    await c.addConnectionsToGroups(["g1", "g2"], "userId eq 'alice'").then(() => "added"),
    (await collect(c.listConnectionsInGroup("g1"))).length,
    await c.removeConnectionsFromGroups(["g1", "g2"], "userId eq 'alice'").then(() => "removed"),
  ]),
  "list-paged": s(async (c, x) => {
    for (const id of [x.alice1, x.alice2, x.bob]) await c.addConnectionToGroup(GROUP, id);
    const pages = await collect(c.listConnectionsInGroup(GROUP).byPage({ maxPageSize: 2 }));
    return pages.map((p) => p.length);
  }),
  exists: s(async (c, x) => [await c.connectionExists(x.bob), await c.connectionExists("no-such-connection"), await c.userExists("alice"), await c.userExists("nobody")]),
  permissions: s(async (c, x) => [
    await c.checkPermission(x.bob, "sendToGroup", { targetName: GROUP }),
    await c.grantPermission(x.bob, "sendToGroup", { targetName: GROUP }).then(() => "granted"),
    await c.hasPermission(x.bob, "sendToGroup", { targetName: GROUP }),
    await c.revokePermission(x.bob, "sendToGroup", { targetName: GROUP }).then(() => "revoked"),
    await c.checkPermission(x.bob, "sendToGroup", { targetName: GROUP }),
  ]),
  "close-connection": s((c, x) => c.closeConnection(x.bob, { reason: "bye bob" })),
  "close-all-excluded": s((c, x) => c.closeAllConnections({ reason: "maintenance", excludedConnections: [x.alice1] })),
  "close-user": s((c, x) => c.closeUserConnections("alice", { excludedConnections: [x.alice2], reason: "signed out" })),
  "close-group": s(async (c, x) => {
    await c.addConnectionToGroup(GROUP, x.bob);
    await c.closeGroupConnections(GROUP, { reason: "room closed" });
  }),
  "error-invalid-filter": s((c) => c.sendToAll("x", { filter: "userId eq" })),
  "error-unknown-connection": s((c) => c.addConnectionToGroup(GROUP, "no-such-connection")),
  "service-status": s((c) => c.getServiceStatus()),
};
