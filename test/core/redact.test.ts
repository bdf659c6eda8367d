import assert from "node:assert/strict";
import { isSecretHeader, REDACTED, redactHeaders, redactText, redactUrl } from "../../src/core/index.js";

describe("core/redact", () => {
  it("redacts credential query values and keeps the rest of a URL", () => {
    assert.equal(
      redactUrl("http://h/api/{event}?code=s3cret&x=1&access_token=eyJa.b.c#f"),
      `http://h/api/{event}?code=${REDACTED}&x=1&access_token=${REDACTED}#f`,
    );
  });

  it("redacts user:password credentials in URLs", () => {
    assert.equal(redactUrl("https://user:pw@host/p"), `https://${REDACTED}@host/p`);
    assert.equal(redactText("see http://a:b@h/x now"), `see http://${REDACTED}@h/x now`);
  });

  it("redacts a literal secret such as the access key, but not short strings that would match ordinary text", () => {
    const key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
    assert.equal(redactText(`echo: ${key}!`, [key]), `echo: ${REDACTED}!`);
    assert.equal(redactText("a short one", ["a"]), "a short one");
  });

  it("redacts AccessKey=, Bearer tokens and bare JWTs in text", () => {
    assert.equal(redactText("AccessKey=abc;Version=1.0; Bearer t0k token eyJh.eyJi.sig"), `AccessKey=${REDACTED};Version=1.0; Bearer ${REDACTED} token ${REDACTED}`);
  });

  it("redacts secret headers whatever their case and scrubs the others", () => {
    assert.deepEqual(redactHeaders([["Cookie", "a=b"], ["CE-Signature", "sha256=ab"], ["x-note", "Bearer abc"]]), {
      Cookie: REDACTED,
      "CE-Signature": REDACTED,
      "x-note": `Bearer ${REDACTED}`,
    });
    assert.equal(isSecretHeader("Authorization"), true);
    assert.equal(isSecretHeader("content-type"), false);
  });
});
