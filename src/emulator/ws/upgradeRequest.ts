// Checks the WebSocket parts of an upgrade request (RFC 6455 §4.2.1) before the `ws` library
// sees it: `ws` refuses the same faults itself, but with a text/html body, and every refusal of
// the emulator carries the REST-style JSON error instead (issue 13, fuzz runs 1 and 2).
import type { IncomingMessage } from "node:http";

/** Why an upgrade request is not a valid WebSocket handshake, as an HTTP answer. */
export interface UpgradeFault {
  status: number;
  message: string;
  /** Extra response headers, e.g. the versions spoken. */
  headers?: Record<string, string>;
}

// Versions the `ws` library completes: 13 (RFC 6455) and draft 8.
const SPOKEN_VERSIONS = new Set(["13", "8"]);
// 16 random bytes in base64, as ws checks it.
const KEY_PATTERN = /^[+/0-9A-Za-z]{22}==$/;
// An RFC 7230 token: what a subprotocol name may be.
const TOKEN_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The first fault of the request's WebSocket headers, or undefined when `ws` will accept it. */
export function upgradeFault(req: IncomingMessage): UpgradeFault | undefined {
  if (req.method !== "GET") {
    return { status: 405, message: "A WebSocket upgrade must use GET.", headers: { Allow: "GET" } };
  }
  if ((req.headers.upgrade ?? "").trim().toLowerCase() !== "websocket") {
    return { status: 400, message: "The Upgrade header must be 'websocket'." };
  }
  const connection = (req.headers.connection ?? "").split(",").map((t) => t.trim().toLowerCase());
  if (!connection.includes("upgrade")) return { status: 400, message: "The Connection header must include 'Upgrade'." };
  const version = req.headers["sec-websocket-version"];
  if (version === undefined || !SPOKEN_VERSIONS.has(version.trim())) {
    // RFC 6455 §4.4: name the versions the server speaks.
    return { status: 400, message: "Sec-WebSocket-Version must be 13.", headers: { "Sec-WebSocket-Version": "13, 8" } };
  }
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || !KEY_PATTERN.test(key.trim())) {
    return { status: 400, message: "Sec-WebSocket-Key must be 16 bytes in base64." };
  }
  const protocols = req.headers["sec-websocket-protocol"];
  if (protocols !== undefined && offeredSubprotocols(protocols) === undefined) {
    return { status: 400, message: "Sec-WebSocket-Protocol must be a list of distinct tokens." };
  }
  return undefined;
}

/** The subprotocols of a Sec-WebSocket-Protocol value, in order; undefined when malformed. */
export function offeredSubprotocols(header: string): string[] | undefined {
  const names = header.split(",").map((p) => p.trim());
  if (names.some((name) => !TOKEN_PATTERN.test(name))) return undefined;
  return new Set(names).size === names.length ? names : undefined;
}
