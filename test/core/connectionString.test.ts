import assert from "node:assert/strict";
import { formatConnectionString, parseConnectionString, WebPubSubError } from "../../src/core/index.js";

const key = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";

function failure(text: string): WebPubSubError {
  try {
    parseConnectionString(text);
  } catch (e) {
    assert.ok(e instanceof WebPubSubError);
    return e;
  }
  assert.fail("expected a parse error");
}

describe("core/connectionString", () => {
  it("parses the standard form", () => {
    assert.deepEqual(parseConnectionString(`Endpoint=https://x.webpubsub.azure.com;AccessKey=${key};Version=1.0;`), {
      endpoint: "https://x.webpubsub.azure.com",
      accessKey: key,
      version: "1.0",
    });
  });

  it("treats keys case-insensitively and tolerates stray separators and whitespace", () => {
    const parsed = parseConnectionString(` ;; endpoint = http://localhost:8080/ ; ACCESSKEY=${key} ;;`);
    assert.equal(parsed.endpoint, "http://localhost:8080");
    assert.equal(parsed.accessKey, key);
  });

  it("applies Port= to the endpoint", () => {
    const parsed = parseConnectionString(`Endpoint=http://localhost;Port=8080;AccessKey=${key};Version=1.0;`);
    assert.equal(parsed.endpoint, "http://localhost:8080");
  });

  it("adds https:// to an endpoint without a scheme", () => {
    assert.equal(parseConnectionString(`Endpoint=x.webpubsub.azure.com;AccessKey=${key}`).endpoint, "https://x.webpubsub.azure.com");
  });

  it("keeps everything after the first '=' of a value, so base64 keys survive", () => {
    assert.equal(parseConnectionString("Endpoint=https://x;AccessKey=abc==").accessKey, "abc==");
  });

  it("names a missing AccessKey", () => {
    const e = failure("Endpoint=https://x.webpubsub.azure.com;Version=1.0");
    assert.equal(e.code, "WPS_ERR_CONNECTION_STRING");
    assert.match(e.message, /missing 'AccessKey='/);
  });

  it("names a missing Endpoint without echoing the key", () => {
    const e = failure(`AccessKey=${key};Version=1.0`);
    assert.match(e.message, /missing 'Endpoint='/);
    assert.ok(!e.message.includes(key));
  });

  it("rejects a segment without '=' and does not echo it (it may be a key)", () => {
    const e = failure(`Endpoint=https://x;${key}`);
    assert.match(e.message, /segment 2 is not of the form Key=Value/);
    assert.ok(!e.message.includes(key));
  });

  it("rejects a bad port, a non-http scheme, a duplicated key and an empty string", () => {
    assert.match(failure(`Endpoint=http://x;AccessKey=${key};Port=99999`).message, /'Port' must be 1-65535/);
    assert.match(failure(`Endpoint=ftp://x;AccessKey=${key}`).message, /http or https/);
    assert.match(failure(`Endpoint=https://x;endpoint=https://y;AccessKey=${key}`).message, /more than once/);
    assert.match(failure("  ").message, /empty/);
  });

  it("round-trips through formatConnectionString", () => {
    const text = formatConnectionString("http://localhost:8080/", key);
    assert.equal(text, `Endpoint=http://localhost:8080;AccessKey=${key};Version=1.0;`);
    assert.equal(parseConnectionString(text).endpoint, "http://localhost:8080");
  });
});
