import assert from "node:assert/strict";
import { hmacSha256Hex, signJwtSync } from "../../src/core/index.js";

type JwtModule = typeof import("../../src/core/jwt.js");

// Loads a second copy of jwt.ts while process.getBuiltinModule is hidden, as on an
// edge runtime or in a browser: that copy must fall back to WebCrypto.
async function loadWithoutNodeCrypto(): Promise<JwtModule> {
  const saved = process.getBuiltinModule;
  (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
  try {
    return (await import(`../../src/core/jwt.js?webcrypto=${Date.now()}`)) as JwtModule;
  } finally {
    process.getBuiltinModule = saved;
  }
}

describe("core/jwt without node:crypto", () => {
  let jwt: JwtModule;
  before(async () => {
    jwt = await loadWithoutNodeCrypto();
  });

  it("reports that it cannot sign synchronously", () => {
    assert.equal(jwt.canSignSync, false);
    assert.throws(() => jwt.signJwtSync({ exp: 1 }, "k"), /signJwt\(\)/);
  });

  it("signs with WebCrypto the same token node:crypto signs", async () => {
    const claims = { aud: "https://x/client/hubs/h", exp: 2000000000, sub: "zoë" };
    const key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
    assert.equal(await jwt.signJwt(claims, key, { kid: "k1" }), signJwtSync(claims, key, { kid: "k1" }));
  });

  it("computes the same hex HMAC", async () => {
    assert.equal(await jwt.hmacSha256Hex("key", "conn"), await hmacSha256Hex("key", "conn"));
  });

  it("compares text without node:crypto", () => {
    assert.equal(jwt.timingSafeEqualText("same", "same"), true);
    assert.equal(jwt.timingSafeEqualText("same", "sama"), false);
  });
});
