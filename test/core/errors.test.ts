import assert from "node:assert/strict";
import { invalidArgument, isWebPubSubError, outOfRange, ServiceError, WebPubSubError } from "../../src/core/index.js";

describe("core/errors", () => {
  it("carries the service details on ServiceError", () => {
    const e = new ServiceError("sendToAll failed", { statusCode: 400, serviceCode: "BadRequest", target: "filter", requestId: "r1" });
    assert.equal(e.code, "WPS_ERR_SERVICE");
    assert.equal(e.statusCode, 400);
    assert.equal(e.serviceCode, "BadRequest");
    assert.equal(e.target, "filter");
    assert.equal(e.requestId, "r1");
    assert.equal(e.name, "ServiceError");
  });

  it("recognises errors of a second copy of the package by code", () => {
    const foreign = Object.assign(new Error("x"), { code: "WPS_ERR_SERVICE" });
    assert.equal(isWebPubSubError(foreign), true);
    assert.equal(isWebPubSubError(Object.assign(new Error("x"), { code: "ECONNRESET" })), false);
    assert.equal(isWebPubSubError(new WebPubSubError("WPS_ERR_CLOSED", "closed")), true);
  });

  it("builds argument errors of the standard classes with a stable code", () => {
    assert.ok(invalidArgument("bad") instanceof TypeError);
    assert.ok(outOfRange("bad") instanceof RangeError);
    assert.equal(outOfRange("bad").code, "WPS_ERR_INVALID_ARGUMENT");
  });
});

describe("core/errors codes of token failures", () => {
  it("gives JwtVerifyError WPS_ERR_TOKEN_EXPIRED for an expired token and WPS_ERR_TOKEN_INVALID otherwise", async () => {
    const { JwtVerifyError, signJwtSync, verifyJwt } = await import("../../src/core/index.js");
    const key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
    assert.throws(() => verifyJwt(signJwtSync({ exp: 1 }, key), key), (e: unknown) => e instanceof JwtVerifyError && e.code === "WPS_ERR_TOKEN_EXPIRED" && e.reason === "expired");
    assert.throws(() => verifyJwt(signJwtSync({ exp: 4e9 }, key), `${key}x`), (e: unknown) => isWebPubSubError(e) && e.code === "WPS_ERR_TOKEN_INVALID");
    assert.throws(() => verifyJwt("a.b", key), { code: "WPS_ERR_TOKEN_INVALID", name: "JwtVerifyError" });
  });
});

describe("WebPubSubErrorCode", () => {
  it("lists only codes that some module of the package throws", async () => {
    const { readFileSync, readdirSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { fileURLToPath } = await import("node:url");
    const src = fileURLToPath(new URL("../../src", import.meta.url));
    const errors = readFileSync(join(src, "core/errors.ts"), "utf8");
    const union = /export type WebPubSubErrorCode =([^;]+);/.exec(errors)![1]!;
    const codes = [...union.matchAll(/"(WPS_ERR_[A-Z_]+)"/g)].map((m) => m[1]!);
    assert.ok(codes.length > 5);
    // Every source file, with the union itself left out.
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));
    const text = files.map((f) => readFileSync(join(src, f), "utf8")).join("\n").replace(union, "");
    const unused = codes.filter((code) => !text.includes(`"${code}"`));
    assert.deepEqual(unused, [], "codes in the public union that nothing throws");
  });
});
