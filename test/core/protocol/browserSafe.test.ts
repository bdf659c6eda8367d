import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";

// The protocol core must run in a browser: bundle it for the browser and run it in a bare
// context that has no Buffer, process or require, only what browsers also have.
describe("protocol core in a browser-like context", () => {
  it("bundles for the browser and encodes, decodes and sequences without Node globals", async () => {
    const out = await build({
      stdin: {
        contents: `
          import { encodeFrame, decodeServiceFrame, decodeData, encodeData, SequenceReceiver } from "./src/core/protocol/index.ts";
          const text = encodeFrame({ type: "message", from: "server", dataType: "binary", data: new Uint8Array([1, 2, 3]), sequenceId: 1 });
          const frame = decodeServiceFrame(text);
          const bytes = decodeData("binary", frame.frame.data);
          const r = new SequenceReceiver();
          r.accept(1);
          globalThis.result = JSON.stringify({ wire: encodeData(new Uint8Array([255]), "binary"), bytes: Array.from(bytes.frame), ack: r.ackNeeded() });
        `,
        resolveDir: process.cwd(),
        loader: "ts",
      },
      bundle: true,
      platform: "browser",
      format: "iife",
      write: false,
      logLevel: "silent",
    });
    const context: Record<string, unknown> = { btoa, atob, TextEncoder, TextDecoder };
    context["globalThis"] = context;
    runInNewContext(out.outputFiles[0]!.text, context);
    // Parsed here: objects from the other realm have other prototypes.
    const result = JSON.parse(context["result"] as string) as { wire: string; bytes: number[]; ack: unknown };
    assert.equal(result.wire, "/w==");
    assert.deepEqual(result.bytes, [1, 2, 3]);
    assert.deepEqual(result.ack, { type: "sequenceAck", sequenceId: 1 });
  });
});
