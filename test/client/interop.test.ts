// The same scenario, written for @azure/web-pubsub-client, runs with the official import and
// with ours and sees the same things. oursScenario.ts is officialScenario.ts with only the
// import line changed (checked here), so `npm run typecheck` proves it compiles against our types.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Emulator } from "../../src/emulator/index.js";
import * as official from "./interop/officialScenario.js";
import * as mine from "./interop/oursScenario.js";
import { clientUrl, startEmu, startUpstream, type Upstream } from "./support.js";

const OFFICIAL_IMPORT = '"@azure/web-pubsub-client"';
const OUR_IMPORT = '"../../../src/client/index.js"';

describe("interop with @azure/web-pubsub-client code", function () {
  this.timeout(30_000);
  let emu: Emulator;
  let upstream: Upstream;

  before(async () => {
    upstream = await startUpstream((event, body) => (event === "echo" ? { type: "text/plain", body: `echo:${body}` } : {}));
    emu = await startEmu({ hubs: { interop: { eventHandlers: [{ urlTemplate: upstream.url, userEventPattern: "echo" }] } } });
  });
  after(async () => {
    await emu.close();
    await upstream.close();
  });

  function url(): string {
    return clientUrl(emu, "interop", { userId: "u1", roles: ["webpubsub.joinLeaveGroup.interop", "webpubsub.sendToGroup"] });
  }

  it("uses a copy of the official scenario that differs only in the import", () => {
    const source = readFileSync(new URL("./interop/officialScenario.ts", import.meta.url), "utf8");
    const copy = readFileSync(new URL("./interop/oursScenario.ts", import.meta.url), "utf8");
    assert.equal(source.split(OFFICIAL_IMPORT).length, 2, "the scenario imports the official client once");
    assert.equal(copy, source.replace(OFFICIAL_IMPORT, OUR_IMPORT));
  });

  it("runs unchanged on both clients and sees the same events and results", async () => {
    const expected = await official.run(url());
    const actual = await mine.run(url());
    assert.deepEqual(actual, expected);
    assert.deepEqual(expected, [
      "connected string u1",
      "joined isDuplicated=false",
      "sent ackId=number isDuplicated=false",
      'group-message interop json {"hello":"world"}',
      'server-message text "echo:ping"',
      "fireAndForget ackId=undefined",
      "SendMessageError ackId=9001 Forbidden",
      "disconnected string",
      "stopped",
    ]);
  });
});
