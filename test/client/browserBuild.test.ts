// The two browser files of webpubsub-service/client, as `npm run build` publishes them: the
// default one, whose errors say only their code and what was wrong, and the `development` one,
// whose errors keep their sentences (src/core/verbose.ts). Both run here in Node, on `ws`,
// against the emulator: they must differ in their messages and in nothing else.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import type { Emulator } from "../../src/emulator/index.js";
import { bundleClient } from "../../scripts/browserBundle.mjs";
import { clientUrl, restSend, startEmu } from "./support.js";

import type { SendMessageError } from "../../src/client/index.js";

type ClientModule = typeof import("../../src/client/index.js");

/**
 * The text a `VERBOSE ? <literal> : …` guards, up to its first `${`, from every source file the
 * bundle takes in; left out when the same text is also used unguarded (an event's `reason`).
 */
function guardedSentences(): string[] {
  const texts: string[] = [];
  for (const dir of ["src/client", "src/core", "src/core/protocol"]) {
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) texts.push(readFileSync(join(dir, file), "utf8"));
  }
  const all = texts.join("\n");
  const guarded = [...all.matchAll(/VERBOSE \? (["'`])((?:(?!\1|\$\{).)*)/g)].map((m) => m[2]!);
  const count = (list: string[], s: string) => list.filter((x) => x === s).length;
  // Only pieces long enough to mean something (`${name} must be …` starts with "").
  return guarded.filter((s) => s.length >= 8 && all.split(s).length - 1 === count(guarded, s));
}

/** Captures the error a call throws or rejects with. */
async function errorOf(call: () => unknown): Promise<Error & { code?: string }> {
  try {
    await call();
  } catch (err) {
    return err as Error & { code?: string };
  }
  assert.fail("expected an error");
}

describe("client browser files (production and development)", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "wps-browser-build-"));
  const code: Record<"production" | "development", string> = { production: "", development: "" };
  const mod = {} as Record<"production" | "development", ClientModule>;
  let emu: Emulator;

  before(async () => {
    for (const kind of ["production", "development"] as const) {
      const file = join(dir, `client.${kind}.mjs`);
      await bundleClient({ outfile: file, verbose: kind === "development" });
      code[kind] = readFileSync(file, "utf8");
      mod[kind] = (await import(pathToFileURL(file).href)) as ClientModule;
    }
    emu = await startEmu();
  });

  after(async () => {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("leaves every guarded sentence out of the production file and keeps all of them in the development file", () => {
    const sentences = guardedSentences();
    // Every file that guards a message is scanned: a broken scan would find next to nothing.
    assert.ok(sentences.length >= 30, `found only ${sentences.length} guarded sentences`);
    const kept = sentences.filter((s) => code.production.includes(s));
    assert.deepEqual(kept, [], "sentences left in the production file");
    const missing = sentences.filter((s) => !code.development.includes(s));
    assert.deepEqual(missing, [], "sentences missing from the development file");
    assert.ok(code.production.length < code.development.length - 1000);
  });

  it("gives the same classes, codes and fields in both; messages are the code or `invalid <name>` in production", async () => {
    const seen = {} as Record<"production" | "development", { name: string; code: string | undefined; message: string }[]>;
    for (const kind of ["production", "development"] as const) {
      const { WebPubSubClient } = mod[kind];
      const errors = [
        await errorOf(() => new WebPubSubClient("ftp://example.com/client/hubs/h")),
        await errorOf(() => new WebPubSubClient("ws://example.com/client/hubs/h")),
        await errorOf(() => new WebPubSubClient("wss://example.com/client/hubs/h", { keepAliveIntervalInMs: -1 })),
        await errorOf(() => new WebPubSubClient("wss://example.com/client/hubs/h").sendToGroup("", "x", "text")),
        await errorOf(() => new WebPubSubClient("wss://example.com/client/hubs/h").sendToGroup("g", 1 as never, "text")),
        await errorOf(() => new WebPubSubClient("wss://example.com/client/hubs/h").sendToGroup("g", "x", "text")),
      ];
      seen[kind] = errors.map((e) => ({ name: e.name, code: e.code, message: e.message }));
    }
    const shape = (list: typeof seen.production) => list.map(({ name, code }) => ({ name, code }));
    assert.deepEqual(shape(seen.production), shape(seen.development));
    assert.deepEqual(
      seen.production.map((e) => e.message),
      ["invalid credential", "WPS_ERR_INSECURE_ENDPOINT", "invalid keepAliveIntervalInMs", "invalid groupName", "invalid content", "WPS_ERR_NOT_CONNECTED"],
    );
    assert.deepEqual(
      seen.development.map((e) => e.message),
      [
        "client access URL must be wss://, got ftp:",
        "ws://example.com would send the token unencrypted: use wss:// or allowInsecureConnection",
        `keepAliveIntervalInMs must be 0 to ${2 ** 31 - 1} ms, got -1`,
        "groupName must be a non-empty string, got ",
        'dataType "text" needs a string, got number',
        "message 1 was not sent: call start() first",
      ],
    );
    assert.deepEqual(
      shape(seen.production).map((e) => `${e.name} ${e.code}`),
      [
        "TypeError WPS_ERR_INVALID_ARGUMENT",
        "WebPubSubError WPS_ERR_INSECURE_ENDPOINT",
        "RangeError WPS_ERR_INVALID_ARGUMENT",
        "TypeError WPS_ERR_INVALID_ARGUMENT",
        "TypeError WPS_ERR_INVALID_ARGUMENT",
        "SendMessageError WPS_ERR_NOT_CONNECTED",
      ],
    );
  });

  it("both connect, join a group, send acked, receive, and report a refused send with its errorDetail", async () => {
    for (const kind of ["production", "development"] as const) {
      const { WebPubSubClient } = mod[kind];
      const group = `g-${kind}`;
      const client = new WebPubSubClient(clientUrl(emu, "hub", { roles: [`webpubsub.joinLeaveGroup.${group}`, `webpubsub.sendToGroup.${group}`] }), {
        webSocket: WebSocket,
      });
      const got: unknown[] = [];
      client.on("group-message", (e) => got.push(e.message.data));
      await client.start();
      try {
        await client.joinGroup(group);
        const ack = await client.sendToGroup(group, { n: 1 }, "json");
        assert.equal(ack.isDuplicated, false);
        assert.equal(await restSend(emu, `/api/hubs/hub/groups/${group}/:send`, "from rest"), 202);
        const until = Date.now() + 5000;
        while (got.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(got, [{ n: 1 }, "from rest"], kind);
        // No role for this group: the service refuses, and the refusal's detail survives in both.
        const refused = (await errorOf(() => client.sendToGroup("other", "x", "text"))) as SendMessageError;
        assert.equal(refused.name, "SendMessageError", kind);
        assert.equal(refused.code, "WPS_ERR_ACK_REJECTED", kind);
        assert.equal(refused.errorDetail?.name, "Forbidden", kind);
        assert.ok(refused.errorDetail?.message, kind);
        const sentence = `message ${refused.ackId} was refused: Forbidden: ${refused.errorDetail?.message}`;
        assert.equal(refused.message, kind === "production" ? "WPS_ERR_ACK_REJECTED" : sentence);
      } finally {
        await client.stop();
      }
    }
  });
});
