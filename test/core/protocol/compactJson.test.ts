import assert from "node:assert/strict";
import { decodeClientFrame, JsonText } from "../../../src/core/index.js";
import { readCompactFrame } from "../../../src/core/protocol/compactJson.js";

// What decodeClientFrame with jsonDataAsText must give: the plain decoder's answer, with json
// data as the text JSON.stringify writes for it.
function assertSameAsPlainDecoder(text: string): void {
  const plain = decodeClientFrame(text);
  const asText = decodeClientFrame(text, { jsonDataAsText: true });
  if (!plain.ok) {
    assert.deepEqual(asText, plain, `rejection of ${text}`);
    return;
  }
  assert.ok(asText.ok, `${text} was refused: ${asText.ok ? "" : asText.error.message}`);
  const expected: Record<string, unknown> = { ...plain.frame };
  const got: Record<string, unknown> = { ...asText.frame };
  if (expected["dataType"] === "json" && expected["data"] !== undefined) {
    assert.ok(got["data"] instanceof JsonText, `data of ${text} is not a JsonText`);
    assert.equal((got["data"] as JsonText).text, JSON.stringify(expected["data"]), `data text of ${text}`);
    delete expected["data"];
    delete got["data"];
  }
  assert.deepEqual(got, expected, text);
}

describe("compact client frames (decodeClientFrame with jsonDataAsText)", () => {
  it("reads the frames clients send without JSON.parse, data as the frame's own text", () => {
    const text = '{"type":"sendToGroup","group":"g1","ackId":7,"noEcho":true,"dataType":"json","data":{"i":3,"s":"é ✓ 😀","a":[1,-2,true,false,null,{}],"o":{"x":[]}}}';
    const compact = readCompactFrame(text);
    assert.ok(compact, "the compact reader took it");
    assert.equal(compact.dataText, '{"i":3,"s":"é ✓ 😀","a":[1,-2,true,false,null,{}],"o":{"x":[]}}');
    const r = decodeClientFrame(text, { jsonDataAsText: true });
    assert.ok(r.ok);
    assert.equal(r.frame.type, "sendToGroup");
    assert.ok(r.frame.type === "sendToGroup" && r.frame.data instanceof JsonText);
    assert.deepEqual({ ...r.frame, data: (r.frame.data as JsonText).text }, {
      type: "sendToGroup", group: "g1", ackId: 7, noEcho: true, dataType: "json", data: compact.dataText,
    });
    assertSameAsPlainDecoder(text);
  });

  // Each of these would come out of JSON.stringify(JSON.parse(data)) as different text, so the
  // compact reader must leave it to JSON.parse (and the frame must still decode the same).
  const refused: [string, string][] = [
    ["whitespace", '{"type":"sendToGroup","group":"g","data":{"a": 1}}'],
    ["whitespace between fields", '{"type":"sendToGroup", "group":"g","data":1}'],
    ["an escape in data", '{"type":"sendToGroup","group":"g","data":"a\\u0041"}'],
    ["an escaped slash", '{"type":"sendToGroup","group":"g","data":["\\/"]}'],
    ["an escape in a field", '{"type":"joinGroup","group":"g\\n"}'],
    ["a fraction", '{"type":"sendToGroup","group":"g","data":1.50}'],
    ["an exponent", '{"type":"sendToGroup","group":"g","data":{"n":1e2}}'],
    ["minus zero", '{"type":"sendToGroup","group":"g","data":[-0]}'],
    ["a leading zero", '{"type":"sendToGroup","group":"g","data":[01]}'],
    ["an integer beyond 15 digits", '{"type":"sendToGroup","group":"g","data":12345678901234567890}'],
    ["integer keys, which JSON.parse moves first", '{"type":"sendToGroup","group":"g","data":{"b":1,"1":2}}'],
    ["a repeated key", '{"type":"sendToGroup","group":"g","data":{"a":1,"b":2,"a":3}}'],
    ["a repeated first key", '{"type":"sendToGroup","group":"g","data":{"a":1,"a":3}}'],
    ["a lone high surrogate", `{"type":"sendToGroup","group":"g","data":"x\ud800yz"}`],
    ["lone low surrogates", `{"type":"sendToGroup","group":"g","data":["\udc00\udc01"]}`],
    ["deep nesting", `{"type":"sendToGroup","group":"g","data":${"[".repeat(40)}${"]".repeat(40)}}`],
    ["text after the object", '{"type":"ping"}x}'],
    ["a control character", '{"type":"sendToGroup","group":"g","data":"a\u0001"}'],
    ["an unterminated string", '{"type":"sendToGroup","group":"g","data":"abc}'],
    ["a bad literal", '{"type":"sendToGroup","group":"g","data":tru}'],
  ];
  for (const [what, text] of refused) {
    it(`leaves ${what} to JSON.parse, and decodes it the same`, () => {
      assert.equal(readCompactFrame(text), undefined);
      assertSameAsPlainDecoder(text);
    });
  }

  it("checks and drops fields a client frame does not have, __proto__ included", () => {
    for (const text of [
      '{"type":"sendToGroup","group":"g","meta":{"k":[1,{"a":null}]},"data":1}',
      '{"type":"sendToGroup","group":"g","__proto__":{"type":"ping"},"data":1}',
      '{"type":"joinGroup","group":{"a":1},"ackId":2}',
    ]) {
      assert.ok(readCompactFrame(text), text);
      assertSameAsPlainDecoder(text);
    }
    assert.equal(readCompactFrame('{"type":"sendToGroup","group":"g","meta":{"k":1.5},"data":1}'), undefined);
  });

  it("keeps the last of a repeated field, as JSON.parse does", () => {
    assertSameAsPlainDecoder('{"type":"sendToGroup","group":"a","group":"b","data":1,"data":{"x":2}}');
    assert.ok(readCompactFrame('{"type":"sendToGroup","group":"a","group":"b","data":1}'));
  });

  it("decodes every valid and invalid frame as the plain decoder does (generated frames)", () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const strings = ["", "a", "é", "😀", "a\"b", "\\", "\n", "\u2028", "1", "__proto__", "x y", "\ud800", "-0"];
    const numbers = [0, 1, -1, 42, 1.5, -0, 1e21, 2 ** 53, 123456789012345, 0.1];
    const value = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.4) return pick<unknown>([...strings, ...numbers, true, false, null]);
      if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(["a", "b", "1", "k2", "é", "__proto__", ""]), value(depth + 1)]));
    };
    let compactCount = 0;
    for (let i = 0; i < 3000; i++) {
      const frame: Record<string, unknown> = { type: pick(["sendToGroup", "event", "invoke", "joinGroup", "ping", "sequenceAck"]) };
      if (random() < 0.8) frame["group"] = pick(["g", "", " ", "room 1", 5]);
      if (random() < 0.5) frame["event"] = pick(["e", "chat.message", "1a"]);
      if (random() < 0.7) frame["ackId"] = pick([1, 0, -1, 1.5, "2", null, 2 ** 53]);
      if (random() < 0.3) frame["invocationId"] = pick(["i1", ""]);
      if (random() < 0.3) frame["sequenceId"] = pick([3, -1]);
      if (random() < 0.2) frame["noEcho"] = pick([true, false, "yes"]);
      if (random() < 0.6) frame["dataType"] = pick(["json", "text", "binary", "xml"]);
      if (random() < 0.9) frame["data"] = random() < 0.2 ? pick(["AQID", "@@"]) : value(0);
      const text = JSON.stringify(frame);
      if (readCompactFrame(text)) compactCount++;
      assertSameAsPlainDecoder(text);
      // The same frame with a space somewhere: never compact, same answer.
      const at = text.indexOf(":");
      assertSameAsPlainDecoder(`${text.slice(0, at + 1)} ${text.slice(at + 1)}`);
    }
    // The generator must exercise the compact reader, not only the fallback.
    assert.ok(compactCount > 1000, `only ${compactCount} generated frames were compact`);
  });
});
