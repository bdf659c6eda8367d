import assert from "node:assert/strict";
import { createServer } from "node:net";
import { networkInterfaces } from "node:os";
import { isWebPubSubError, parseConnectionString } from "../../src/core/index.js";
import { DEFAULT_ACCESS_KEY, startEmulator } from "../../src/emulator/index.js";
import { clientToken, connectJson, connectRaw, eventually, RELIABLE_PROTOCOL, rest, start, TestClient } from "./helpers.js";
import { AbuseProtectionHeader } from "../../src/core/index.js";

describe("startEmulator", () => {
  it("reports endpoint, port and a connection string with the default key", async () => {
    const emu = await start();
    try {
      assert.ok(emu.port > 0);
      assert.equal(emu.endpoint, `http://localhost:${emu.port}`);
      const cs = parseConnectionString(emu.connectionString);
      assert.equal(cs.endpoint, emu.endpoint);
      assert.equal(cs.accessKey, DEFAULT_ACCESS_KEY);
      assert.equal(DEFAULT_ACCESS_KEY, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH");
    } finally {
      await emu.close();
    }
  });

  it("signs and checks with a custom key", async () => {
    const key = "my-very-own-emulator-key-of-32-bytes!";
    const emu = await start({ accessKey: key });
    try {
      assert.equal(parseConnectionString(emu.connectionString).accessKey, key);
      assert.equal((await rest(emu, "POST", "/api/hubs/h/:send", { body: "x", key })).status, 202);
      assert.equal((await rest(emu, "POST", "/api/hubs/h/:send", { body: "x" })).status, 401);
    } finally {
      await emu.close();
    }
  });

  it("rejects a short key, a key with ';' and a key with control characters, without echoing it", async () => {
    const cases: [string, RegExp][] = [
      ["short-secret-key", /at least 32 bytes/],
      ["abcdefghijklmnopqrstuvwxyz;0123456789", /';'/],
      ["abcdefghijklmnopqrstuvwxyz\n0123456789", /control characters/],
    ];
    for (const [key, message] of cases) {
      await assert.rejects(startEmulator({ port: 0, accessKey: key }), (err: Error) => {
        assert.match(err.message, message);
        assert.ok(!err.message.includes(key));
        return true;
      });
    }
  });

  it("rejects a bad port", async () => {
    await assert.rejects(startEmulator({ port: 70000 }), RangeError);
  });

  it("fails clearly when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(startEmulator({ port }), (err: Error & { code?: string; cause?: { code?: string } }) => {
        assert.match(err.message, /cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
        assert.equal(err.code, "WPS_ERR_LISTEN");
        assert.ok(isWebPubSubError(err));
        assert.equal(err.cause?.code, "EADDRINUSE");
        return true;
      });
    } finally {
      blocker.close();
    }
  });

  it("prints an endpoint that reaches a server bound to ::1", async () => {
    const emu = await start({ host: "::1" });
    try {
      assert.equal(emu.endpoint, `http://[::1]:${emu.port}`);
      assert.equal((await fetch(`${emu.endpoint}/api/health`)).status, 200);
      assert.equal(parseConnectionString(emu.connectionString).endpoint, emu.endpoint);
    } finally {
      await emu.close();
    }
  });

  it("binds to loopback by default: reachable on 127.0.0.1, refused on the machine's other addresses", async function () {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === "IPv4");
    if (!external) {
      console.log("      (skipped: this machine has no non-loopback IPv4 address to probe)");
      this.skip();
    }
    const emu = await start();
    try {
      const res = await fetch(`http://127.0.0.1:${emu.port}/api/health`, { method: "HEAD" });
      assert.equal(res.status, 200);
      // Bound to 0.0.0.0 this would answer too.
      const probe = fetch(`http://${external!.address}:${emu.port}/api/health`, { method: "HEAD", signal: AbortSignal.timeout(3000) });
      await assert.rejects(probe, (err: Error & { cause?: { code?: string } }) => {
        // Refused, or (behind a firewall that drops) never answered.
        assert.ok(err.cause?.code === "ECONNREFUSED" || err.name === "TimeoutError", String(err.cause ?? err));
        return true;
      });
    } finally {
      await emu.close();
    }
  });

  it("close() ends every socket, including detached reliable ones and pending handshakes, and is idempotent", async () => {
    const emu = await start();
    const a = await connectJson(emu, "h");
    const b = await connectRaw(emu, "h");
    const r = await connectJson(emu, "h", {}, RELIABLE_PROTOCOL);
    (r.ws as unknown as { _socket: { destroy(): void } })._socket.destroy();
    await Promise.all([emu.close(), emu.close()]);
    await Promise.all([a.closed, b.closed, r.closed]);
    await assert.rejects(fetch(`http://127.0.0.1:${emu.port}/api/health`, { method: "HEAD" }));
  });

  it("close() sends plain, json and reliable clients a 1001 close frame, json ones `disconnected` first", async () => {
    const emu = await start();
    const plain = await connectRaw(emu, "h");
    const json = await connectJson(emu, "h");
    const reliable = await connectJson(emu, "h", {}, RELIABLE_PROTOCOL);
    await emu.close();
    for (const c of [plain, json, reliable]) {
      assert.deepEqual(await c.closed, { code: 1001, reason: "The service is shutting down." });
    }
    for (const c of [json, reliable]) {
      assert.deepEqual(await c.nextJson(), { type: "system", event: "disconnected", message: "The service is shutting down." });
    }
    assert.equal(plain.pending, 0);
  });

  it("closes at the end of an `await using` block", async () => {
    let port = 0;
    {
      await using emu = await start();
      port = emu.port;
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/health`)).status, 200);
    }
    await assert.rejects(fetch(`http://127.0.0.1:${port}/api/health`));
  });

  it("close() does not wait for a connect handler that never answers", async () => {
    const { createServer: createHttp } = await import("node:http");
    let stuckRequests = 0;
    const stuck = createHttp((req, res) => {
      if (req.method === "POST") stuckRequests++;
      if (req.method === "OPTIONS") {
        res.writeHead(200, { [AbuseProtectionHeader.allowedOrigin]: "*" });
        res.end();
      }
      // POSTs are never answered.
    });
    await new Promise<void>((r) => stuck.listen(0, "127.0.0.1", r));
    const port = (stuck.address() as { port: number }).port;
    const emu = await start({
      hubs: { slow: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${port}/{event}`, systemEvents: ["connect"] }] } },
    });
    const c = new TestClient(`ws://127.0.0.1:${emu.port}/client/hubs/slow?access_token=${clientToken(emu, "slow")}`);
    c.ws.on("unexpected-response", () => undefined);
    try {
      // The connect request is in flight at the handler, which will never answer.
      await eventually(() => stuckRequests > 0);
      const started = Date.now();
      await emu.close();
      // The connect timeout is 10 s; without close() aborting the request this takes that long.
      assert.ok(Date.now() - started < 5000, `close() took ${Date.now() - started} ms`);
      await c.closed;
    } finally {
      stuck.closeAllConnections();
      stuck.close();
    }
  });

  it("logs connections, REST calls and disconnections without keys or tokens", async () => {
    const lines: string[] = [];
    const emu = await start({ onLog: (l) => lines.push(l) });
    try {
      const token = clientToken(emu, "logs", { userId: "u" });
      const c = await connectJson(emu, "logs", { userId: "u" }, RELIABLE_PROTOCOL);
      await rest(emu, "POST", "/api/hubs/logs/:send", { body: "x" });
      await rest(emu, "POST", "/api/hubs/logs/:send", { body: "x", token: "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln" });
      // A failed recovery puts the reconnection token in a URL the emulator sees.
      const bad = new TestClient(
        `ws://127.0.0.1:${emu.port}/client/hubs/logs?awps_connection_id=${c.connectionId}&awps_reconnection_token=secret-token`,
        RELIABLE_PROTOCOL,
      );
      await bad.closed;
      await rest(emu, "DELETE", `/api/hubs/logs/connections/${c.connectionId}`);
      await c.closed;
      const all = lines.join("\n");
      assert.match(all, /connected .*\(user u, json\.reliable/);
      assert.match(all, /REST POST \/api\/hubs\/logs\/:send -> 202/);
      assert.match(all, /REST POST \/api\/hubs\/logs\/:send -> 401/);
      assert.match(all, /disconnected/);
      for (const secret of [DEFAULT_ACCESS_KEY, token, c.reconnectionToken!, "secret-token", "eyJhbGciOiJIUzI1NiJ9"]) {
        assert.ok(!all.includes(secret), `log leaks ${secret.slice(0, 12)}…`);
      }
    } finally {
      await emu.close();
    }
  });

  it("puts a unique x-ms-request-id on every response and logs it with the reason of a failed call", async () => {
    const lines: string[] = [];
    const emu = await start({ onLog: (l) => lines.push(l) });
    try {
      const results = [
        await rest(emu, "POST", "/api/hubs/h/:send", { body: "x" }), // 202
        await rest(emu, "HEAD", "/api/hubs/h/connections/nope/groups/g"), // 404
        await rest(emu, "POST", "/api/hubs/h/:send", { body: "x", query: { "api-version": "1999-01-01" } }), // 400
        await rest(emu, "POST", "/api/hubs/h/:send", { body: "x", token: null }), // 401
      ];
      const plain = await fetch(`http://127.0.0.1:${emu.port}/nowhere`);
      await plain.arrayBuffer();
      const ids = [...results.map((r) => r.headers.get("x-ms-request-id")), plain.headers.get("x-ms-request-id")];
      for (const id of ids) assert.match(id ?? "", /^[0-9a-f-]{36}$/);
      assert.equal(new Set(ids).size, ids.length);
      const [, , badVersion, unauthorized] = results;
      const log = lines.join("\n");
      assert.ok(
        lines.includes(
          `REST POST /api/hubs/h/:send -> 400 Error.BadRequest: The specified API version is not supported. (request id ${badVersion!.headers.get("x-ms-request-id")})`,
        ),
        log,
      );
      // The 401 body says nothing; the log says which check failed.
      assert.match(log, new RegExp(`-> 401 Error.Unauthorized: \\S.* \\(request id ${unauthorized!.headers.get("x-ms-request-id")}\\)`));
      assert.match(log, /REST POST \/api\/hubs\/h\/:send -> 202$/m);
    } finally {
      await emu.close();
    }
  });

  it("survives a throwing onLog", async () => {
    const emu = await start({
      onLog: () => {
        throw new Error("log sink broke");
      },
    });
    try {
      assert.equal((await rest(emu, "POST", "/api/hubs/h/:send", { body: "x" })).status, 202);
    } finally {
      await emu.close();
    }
  });

  it("rejects invalid hub settings and hub names up front with WPS_ERR_INVALID_ARGUMENT", async () => {
    await assert.rejects(startEmulator({ port: 0, hubs: { chat: { eventHandlers: [{ urlTemplate: "not a url" }] } } }), {
      name: "TypeError",
      code: "WPS_ERR_INVALID_ARGUMENT",
      message: /urlTemplate is not an absolute URL/,
    });
    await assert.rejects(startEmulator({ port: 0, hubs: { "1-bad hub": {} } }), {
      code: "WPS_ERR_INVALID_ARGUMENT",
      message: /not a valid hub name/,
    });
  });
});
