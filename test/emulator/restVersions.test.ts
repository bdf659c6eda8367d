// The REST surface comes from the generated route table (generated/routeTable.ts): every
// operation at every API version that has it is served, and what a version lacks is refused.
import assert from "node:assert/strict";
import { routeTable, type RouteTableOperation } from "../../generated/routeTable.js";
import type { Emulator } from "../../src/emulator/index.js";
import { API_VERSION, rest, start } from "./helpers.js";

const operations: readonly RouteTableOperation[] = routeTable.operations;
const versions: readonly string[] = routeTable.versions;

/** Whether the table says `version` has `item` (its own reading, not the emulator's). */
function has(item: { added?: string; removed?: string }, version: string): boolean {
  const at = versions.indexOf(version);
  return (item.added === undefined || at >= versions.indexOf(item.added)) && (item.removed === undefined || at < versions.indexOf(item.removed));
}

/** A concrete path for a template: every `{name}` becomes a plausible value. */
function concrete(path: string): string {
  const values: Record<string, string> = { hub: "chat", permission: "sendToGroup" };
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => values[name] ?? `x-${name}`);
}

/** Calls `op` at `version`; POSTs carry a JSON body so body checks do not hide the routing. */
function call(emu: Emulator, op: RouteTableOperation, version: string) {
  const query = { "api-version": version };
  return rest(emu, op.method, concrete(op.path), op.method === "POST" ? { query, body: "{}", contentType: "application/json" } : { query });
}

describe("emulator REST routes and API versions (from the generated route table)", () => {
  let emu: Emulator;
  before(async () => {
    emu = await start();
  });
  after(() => emu.close());

  it("defaults to the newest API version of the spec", () => {
    assert.equal(API_VERSION, versions.at(-1));
  });

  for (const op of operations) {
    const at = versions.filter((v) => has(op, v));
    const missing = versions.filter((v) => !has(op, v));
    it(`serves ${op.name} (${op.method} ${op.path}) at ${at.join(", ")}`, async () => {
      for (const version of at) {
        const r = await call(emu, op, version);
        // Served means routed and accepted at this version: the operation itself may still say 4xx (e.g. a missing connection).
        assert.notEqual(r.status, 405, `${version}: ${r.text}`);
        assert.ok(!(r.status === 404 && /No operation matches/.test(r.text)), `${version}: not routed`);
        assert.ok(!(r.status === 400 && r.json?.target === "api-version"), `${version}: ${r.text}`);
      }
    });
    if (missing.length > 0) {
      it(`refuses ${op.name} at ${missing.join(", ")}, naming the versions that have it`, async () => {
        for (const version of missing) {
          const r = await call(emu, op, version);
          assert.equal(r.status, 400, version);
          assert.equal(r.json.target, "api-version");
          assert.match(r.json.message, new RegExp(`'${op.name}' is not in API version ${version}; it exists from ${op.added}`));
        }
      });
    }
  }

  it("refuses a query parameter the requested version lacks, naming it and the version that added it", async () => {
    const r = await rest(emu, "POST", "/api/hubs/chat/:send", { query: { "api-version": "2021-10-01", filter: "userId eq 'a'" }, body: "x" });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { code: "Error.BadRequest", message: "'filter' of 'sendToAll' is not in API version 2021-10-01; it exists from 2022-11-01.", target: "filter" });
    const ok = await rest(emu, "POST", "/api/hubs/chat/:send", { query: { "api-version": "2022-11-01", filter: "userId eq 'a'" }, body: "x" });
    assert.equal(ok.status, 202);
  });

  it("answers every version of the spec and says so in api-supported-versions", async () => {
    for (const version of versions) {
      const r = await rest(emu, "HEAD", "/api/hubs/chat/users/nobody", { query: { "api-version": version } });
      assert.equal(r.status, 404, version);
      assert.equal(r.headers.get("api-supported-versions"), versions.join(", "));
    }
  });
});
