import assert from "node:assert/strict";
import { isWebPubSubError, signJwtSync } from "../../src/core/index.js";
import { AuthError, verifyClientToken } from "../../src/emulator/auth.js";
import { main } from "../../src/emulator/cli.js";
import { ConfigError, validateConfig } from "../../src/emulator/config.js";
import { badRequest, RestError, unauthorized } from "../../src/emulator/errors.js";
import { parseFilter, FilterSyntaxError } from "../../src/emulator/filter.js";
import { UpstreamDispatcher } from "../../src/emulator/upstream/index.js";

const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

describe("emulator error codes", () => {
  it("gives an HTTP error its status, JSON body and WPS_ERR_REQUEST_REJECTED", () => {
    const e = badRequest("'filter' is invalid.", "filter");
    assert.ok(e instanceof RestError && isWebPubSubError(e));
    assert.equal(e.code, "WPS_ERR_REQUEST_REJECTED");
    assert.equal(e.status, 400);
    assert.deepEqual(e.toBody(), { code: "Error.BadRequest", message: "'filter' is invalid.", target: "filter" });
    assert.deepEqual(unauthorized().headers, { "www-authenticate": "Bearer" });
  });

  it("tells expired client tokens from invalid ones", () => {
    const aud = "http://h/client/hubs/chat";
    const expired = signJwtSync({ aud, exp: 1 }, KEY);
    assert.throws(() => verifyClientToken(expired, KEY, "h", "chat"), (e: unknown) => e instanceof AuthError && e.code === "WPS_ERR_TOKEN_EXPIRED" && e.status === 401);
    const wrongHub = signJwtSync({ aud: "http://h/client/hubs/other", exp: 4e9 }, KEY);
    assert.throws(() => verifyClientToken(wrongHub, KEY, "h", "chat"), { code: "WPS_ERR_TOKEN_INVALID", status: 401 });
    const badGroup = signJwtSync({ aud, exp: 4e9, "webpubsub.group": [" "] }, KEY);
    assert.throws(() => verifyClientToken(badGroup, KEY, "h", "chat"), { code: "WPS_ERR_TOKEN_INVALID", status: 400 });
  });

  it("codes config and filter errors; a usage error still prints and exits 2", async () => {
    assert.throws(() => validateConfig({ port: "x" }), (e: unknown) => e instanceof ConfigError && e.code === "WPS_ERR_CONFIGURATION");
    assert.throws(() => parseFilter("userId eq"), (e: unknown) => e instanceof FilterSyntaxError && e.code === "WPS_ERR_FILTER");
    let err = "";
    const code = await main(["fly"], { stdout: { write: () => true }, stderr: { write: (t: string) => ((err += t), true) } } as never);
    assert.equal(code, 2);
    assert.match(err, /unknown command 'fly'/);
  });

  it("does not send an event whose user id cannot be a header, and says why in the log", async () => {
    const lines: string[] = [];
    const d = new UpstreamDispatcher({
      accessKey: KEY,
      hubs: { chat: { eventHandlers: [{ urlTemplate: "http://127.0.0.1:9/{event}", userEventPattern: "*" }] } },
      onLog: (l) => lines.push(l),
      fetch: () => Promise.reject(new Error("must not be called")),
    });
    try {
      const outcome = await d.userEvent({ hub: "chat", connectionId: "c", userId: "a\nb", subprotocol: null, origin: "h" }, "m", new Uint8Array(1), "text");
      assert.equal(outcome.kind, "failed");
      assert.match(lines.join("\n"), /not sent, ce-userId contains control characters/);
    } finally {
      await d.close();
    }
  });
});
