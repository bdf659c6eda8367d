import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import {
  decodeJwt,
  hmacSha256Hex,
  JwtVerifyError,
  signJwt,
  signJwtSync,
  timingSafeEqualText,
  verifyJwt,
} from "../../src/core/index.js";

const key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

function rawHs256(head: object, claims: object, k: string): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const signingInput = `${enc(head)}.${enc(claims)}`;
  return `${signingInput}.${createHmac("sha256", k).update(signingInput).digest("base64url")}`;
}

describe("core/jwt", () => {
  it("signs HS256 exactly as a hand-rolled HMAC over the UTF-8 key does", () => {
    const claims = { aud: "http://localhost/x", exp: 2000000000 };
    assert.equal(signJwtSync(claims, key), rawHs256({ alg: "HS256", typ: "JWT" }, claims, key));
  });

  it("signs the same token asynchronously", async () => {
    const claims = { sub: "ü-user", exp: 2000000000 };
    assert.equal(await signJwt(claims, key), signJwtSync(claims, key));
  });

  it("adds extra header fields such as kid but never lets them replace alg", () => {
    const token = signJwtSync({ exp: 1 }, key, { kid: "key-1", alg: "none" });
    const { header } = decodeJwt(token);
    assert.deepEqual(header, { kid: "key-1", alg: "HS256", typ: "JWT" });
  });

  it("verifies a valid token and returns its claims", () => {
    const token = signJwtSync({ aud: "a", exp: 1000 }, key);
    assert.deepEqual(verifyJwt(token, key, { nowSeconds: 900, audience: (a) => a === "a" }), { aud: "a", exp: 1000 });
  });

  it("rejects a token signed with another key", () => {
    const token = signJwtSync({ exp: 1000 }, "another-key-of-reasonable-length-000000");
    assert.throws(() => verifyJwt(token, key, { nowSeconds: 900 }), { name: "JwtVerifyError", reason: "signature" });
  });

  it("rejects a tampered payload", () => {
    const token = signJwtSync({ sub: "a", exp: 1000 }, key);
    const [h, , s] = token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ sub: "admin", exp: 1000 })).toString("base64url")}.${s}`;
    assert.throws(() => verifyJwt(forged, key, { nowSeconds: 900 }), { reason: "signature" });
  });

  it("rejects alg none even without a signature", () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    assert.throws(() => verifyJwt(`${enc({ alg: "none" })}.${enc({ exp: 9e9 })}.`, key), { reason: "algorithm" });
  });

  it("allows five minutes of clock skew on exp, and no more", () => {
    const token = signJwtSync({ exp: 1000 }, key);
    assert.doesNotThrow(() => verifyJwt(token, key, { nowSeconds: 1299 }));
    assert.throws(() => verifyJwt(token, key, { nowSeconds: 1300 }), { reason: "expired" });
  });

  it("honours nbf with the same skew", () => {
    const token = signJwtSync({ exp: 5000, nbf: 1000 }, key);
    assert.throws(() => verifyJwt(token, key, { nowSeconds: 699 }), { reason: "not-yet-valid" });
    assert.equal(verifyJwt(token, key, { nowSeconds: 700 })["nbf"], 1000);
  });

  it("requires exp unless told otherwise", () => {
    const token = signJwtSync({ sub: "x" }, key);
    assert.throws(() => verifyJwt(token, key), { reason: "missing-exp" });
    assert.equal(verifyJwt(token, key, { requireExp: false })["sub"], "x");
  });

  it("accepts an array aud when one value matches", () => {
    const token = signJwtSync({ aud: ["x", "y"], exp: 1000 }, key);
    assert.throws(() => verifyJwt(token, key, { nowSeconds: 1, audience: (a) => a === "z" }), { reason: "audience" });
    assert.ok(verifyJwt(token, key, { nowSeconds: 1, audience: (a) => a === "y" }));
  });

  it("reports malformed tokens without echoing them", () => {
    const err = (() => {
      try {
        verifyJwt("secret.part", key);
      } catch (e) {
        return e as JwtVerifyError;
      }
      return undefined;
    })();
    assert.ok(err instanceof JwtVerifyError);
    assert.equal(err.reason, "malformed");
    assert.ok(!err.message.includes("secret"));
  });

  it("computes the ce-signature HMAC as lowercase hex", async () => {
    assert.equal(await hmacSha256Hex(key, "conn1"), createHmac("sha256", key).update("conn1").digest("hex"));
  });

  it("compares text for equality", () => {
    assert.equal(timingSafeEqualText("abc", "abc"), true);
    assert.equal(timingSafeEqualText("abc", "abd"), false);
    assert.equal(timingSafeEqualText("abc", "abcd"), false);
  });
});
