// Reading request bodies and writing REST responses.
import type { IncomingMessage, ServerResponse } from "node:http";
import { MAX_MESSAGE_BYTES } from "../../core/index.js";
import { RestError } from "../errors.js";
import { SUPPORTED_API_VERSIONS } from "./routes.js";

/** Largest REST body accepted: the message limit. */
export const MAX_BODY_BYTES = MAX_MESSAGE_BYTES;

// The api-supported-versions header every response carries (docs/protocol.md#api-versions).
const SUPPORTED_VERSIONS_HEADER = SUPPORTED_API_VERSIONS.join(", ");

/** Reads the whole body, failing with 413 past `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      // Keep draining after the limit so the 413 still reaches a client that is mid-upload.
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (err) => {
      if (!failed) reject(err);
    });
  });
}

function tooLarge(limit: number): RestError {
  return new RestError(413, "Error.PayloadTooLarge", `The request body is larger than ${limit} bytes.`, "body");
}

/** Writes a response; HEAD responses never carry a body (Node drops it). */
export function writeResponse(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const all: Record<string, string> = { "api-supported-versions": SUPPORTED_VERSIONS_HEADER, ...headers };
  if (body === undefined) {
    all["content-length"] = "0";
    res.writeHead(status, all);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  all["content-type"] = "application/json; charset=utf-8";
  all["content-length"] = String(Buffer.byteLength(text));
  res.writeHead(status, all);
  res.end(text);
}

/** Writes a RestError as `{code, message, target}` with `x-ms-error-code`. */
export function writeError(res: ServerResponse, err: RestError): void {
  writeResponse(res, err.status, err.toBody(), { "x-ms-error-code": err.errorCode, ...err.headers });
}
