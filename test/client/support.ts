// Shared pieces of the client tests: an emulator on loopback, client URLs, a REST sender,
// and a TCP proxy that can kill or black-hole the client's connection.
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { AbuseProtectionHeader, CloudEventHeader, signJwtSync } from "../../src/core/index.js";
import { DEFAULT_ACCESS_KEY, startEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator/index.js";

/** Starts an emulator on a free loopback port. */
export function startEmu(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, ...options });
}

export interface UrlOptions {
  userId?: string;
  roles?: string[];
  groups?: string[];
  /** Connect through this port (a proxy) instead of the emulator's. */
  port?: number;
}

/** A client access URL for `hub`, signed with the emulator's default key. */
export function clientUrl(emu: { port: number }, hub: string, o: UrlOptions = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const port = o.port ?? emu.port;
  const claims: Record<string, unknown> = { aud: `http://127.0.0.1:${port}/client/hubs/${hub}`, iat: now, exp: now + 3600 };
  if (o.userId !== undefined) claims["sub"] = o.userId;
  if (o.roles !== undefined) claims["role"] = o.roles;
  if (o.groups !== undefined) claims["webpubsub.group"] = o.groups;
  return `ws://127.0.0.1:${port}/client/hubs/${hub}?access_token=${signJwtSync(claims, DEFAULT_ACCESS_KEY)}`;
}

/** Starts an emulator on a given port (to restart one where its clients expect it). */
export function startEmulatorOnPort(port: number, options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ ...options, port });
}

/** Calls the emulator's REST API with a signed token; returns the status. */
export async function restCall(emu: { port: number }, method: string, path: string, body?: string, contentType = "text/plain"): Promise<number> {
  const url = `http://127.0.0.1:${emu.port}${path}${path.includes("?") ? "&" : "?"}api-version=2024-12-01`;
  const now = Math.floor(Date.now() / 1000);
  const token = signJwtSync({ aud: url, iat: now, exp: now + 300 }, DEFAULT_ACCESS_KEY);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = contentType;
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  await res.arrayBuffer();
  return res.status;
}

/** POSTs a message through the emulator's REST API; returns the status (202 when sent). */
export function restSend(emu: { port: number }, path: string, body: string, contentType = "text/plain"): Promise<number> {
  return restCall(emu, "POST", path, body, contentType);
}

/** Resolves with the next emission of `event` on anything with `on`/`off`. */
export function once<T>(target: { on(e: any, l: (a: any) => void): void; off(e: any, l: (a: any) => void): void }, event: string, ms = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(event, listener);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const listener = (args: T): void => {
      clearTimeout(timer);
      target.off(event, listener);
      resolve(args);
    };
    target.on(event, listener);
  });
}

/** Waits until `check` holds. */
export async function eventually(check: () => boolean, ms = 10_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A TCP proxy in front of the emulator: the test's way to break the client's network. */
export interface Proxy {
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Destroys every connection on both sides: the client sees a TCP reset (1006). */
  killAll(): void;
  /** Stops forwarding in both directions without closing anything: only a keepalive notices. */
  blackHole(): void;
  /** Forwards again (for connections made after this call; black-holed ones stay silent). */
  restore(): void;
  close(): Promise<void>;
}

/** Starts a proxy from a free loopback port to `targetPort`. */
export async function startProxy(targetPort: number): Promise<Proxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let holing = false;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    const pair = { client, upstream };
    pairs.add(pair);
    const end = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    if (holing) return;
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get open() {
      return pairs.size;
    },
    killAll() {
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    blackHole() {
      holing = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      holing = false;
    },
    close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An upstream event handler on loopback: `answer(event, body)` returns status, type and body. */
export interface Upstream {
  readonly url: string;
  readonly events: { event: string; body: string }[];
  close(): Promise<void>;
}

/** What the upstream answers to one event. */
export interface UpstreamAnswer {
  status?: number;
  type?: string;
  body?: string;
}

/** Starts an upstream whose answers come from `answer`. */
export async function startUpstream(
  answer: (event: string, body: string) => UpstreamAnswer | Promise<UpstreamAnswer>,
): Promise<Upstream> {
  const events: { event: string; body: string }[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "OPTIONS") {
        res.writeHead(200, { [AbuseProtectionHeader.allowedOrigin]: "*" }).end();
        return;
      }
      const event = String(req.headers[CloudEventHeader.eventName.toLowerCase()] ?? "");
      const body = Buffer.concat(chunks).toString("utf8");
      events.push({ event, body });
      void Promise.resolve(answer(event, body)).then((a) => {
      const headers: Record<string, string> = {};
      if (a.type) headers["content-type"] = a.type;
      res.writeHead(a.status ?? (a.body === undefined ? 204 : 200), headers);
      res.end(a.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upstream/{event}`,
    events,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A `webSocket` factory over `ws` that records every frame the client sends. */
export function recordingWebSocket(sent: string[]) {
  return (url: string, protocol: string) => {
    const ws = new WebSocket(url, protocol);
    const send = ws.send.bind(ws);
    ws.send = ((data: string) => {
      sent.push(data);
      send(data);
    }) as typeof ws.send;
    return ws;
  };
}
