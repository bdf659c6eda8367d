// The service client against hostile or broken servers (issue 13): real loopback servers on
// port 0, each test bounded. Every outcome is asserted, and every error and log line of the
// suite is checked at the end for the access key and for JWTs.
import assert from "node:assert/strict";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import { createGzip } from "node:zlib";
import { WebPubSubServiceClient, type WebPubSubServiceClientOptions } from "../../src/index.js";
import { TRANSPORTS, useTransport } from "./transports.js";

const KEY = "HOSTILE-KEY-0123456789abcdefghijklmnopqrstuv";
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

interface Hostile {
  endpoint: string;
  requests: {
    method: string;
    url: string;
    authorization: string | undefined;
  }[];
  close(): Promise<void>;
}

const open: (() => Promise<void>)[] = [];
const logLines: string[] = [];
const errors: unknown[] = [];
const tokensSeen = new Set<string>();

async function hostile(handler: (req: IncomingMessage, res: ServerResponse, index: number) => void): Promise<Hostile> {
  const requests: Hostile["requests"] = [];
  const server: Server = createHttpServer((req, res) => {
    const authorization = req.headers.authorization;
    if (authorization) tokensSeen.add(authorization.slice(7));
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization,
    });
    handler(req, res, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  open.push(close);
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close,
  };
}

async function rawServer(onSocket: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const clients: WebPubSubServiceClient[] = [];
let logging = true;
function client(endpoint: string, options: WebPubSubServiceClientOptions = {}, hub = "chat"): WebPubSubServiceClient {
  const c = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY};Version=1.0;`, hub, {
    retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 20 },
    ...(logging && {
      loggingEnabled: true,
      logger: (line: string) => logLines.push(line),
    }),
    ...options,
  });
  clients.push(c);
  return c;
}

/** Awaits the rejection of `p`, records the error for the final secret check, returns it. */
async function failure(p: Promise<unknown>): Promise<Error & { code?: string; statusCode?: number }> {
  const error = await p.then(
    () => assert.fail("expected a rejection"),
    (e: unknown) => e,
  );
  errors.push(error);
  assert.ok(error instanceof Error, "rejects with an Error");
  return error as Error & { code?: string; statusCode?: number };
}

async function gzipOfZeros(bytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on("data", (c: Buffer) => out.push(c));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < bytes; written += chunk.length) {
    if (!gzip.write(chunk)) await new Promise((r) => gzip.once("drain", r));
  }
  await new Promise<void>((resolve) => gzip.end(resolve));
  return Buffer.concat(out);
}

// Sends run through the pipeline (logging on, so log lines are checked too) and through the
// send lane that plain sends take (issue 14), each on both transports: undici (the default) and
// node:http (taken under an interceptor such as nock); all four must behave the same.
for (const transport of TRANSPORTS) for (const route of ["pipeline", "send lane"] as const) {
  describe(`service client against hostile servers (${route}, ${transport})`, function () {
    before(() => (logging = route === "pipeline"));
    useTransport(transport);

    this.timeout(15_000);

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await Promise.all(open.splice(0).map((close) => close()));
    });

    describe("throttling and server errors", () => {
      it("waits out a 429's Retry-After, then succeeds", async () => {
        const server = await hostile((_req, res, i) => {
          res.writeHead(i === 0 ? 429 : 202, i === 0 ? { "retry-after": "1" } : {});
          res.end();
        });
        const started = Date.now();
        await client(server.endpoint, {
          retryOptions: {
            maxRetries: 2,
            retryDelayInMs: 1,
            maxRetryDelayInMs: 5000,
          },
        }).sendToAll("x");
        assert.equal(server.requests.length, 2);
        assert.ok(Date.now() - started >= 900, "the second attempt came after Retry-After");
      });

      it("bounds a huge Retry-After by retryOptions.maxRetryDelayInMs", async () => {
        const server = await hostile((_req, res, i) => {
          res.writeHead(i === 0 ? 429 : 202, i === 0 ? { "retry-after": "86400" } : {});
          res.end();
        });
        const started = Date.now();
        await client(server.endpoint, {
          retryOptions: {
            maxRetries: 1,
            retryDelayInMs: 1,
            maxRetryDelayInMs: 100,
          },
        }).sendToAll("x");
        assert.equal(server.requests.length, 2);
        assert.ok(Date.now() - started < 5000, "did not wait a day");
      });

      it("retries 500 and 503, then succeeds", async () => {
        const server = await hostile((_req, res, i) => {
          res.statusCode = [500, 503, 202][i] ?? 202;
          res.end();
        });
        await client(server.endpoint).sendToAll("x");
        assert.deepEqual(
          server.requests.map((r) => r.method),
          ["POST", "POST", "POST"],
        );
      });

      it("gives up after maxRetries with a ServiceError carrying the last status", async () => {
        const server = await hostile((_req, res) => {
          res.statusCode = 502;
          res.end("bad gateway");
        });
        const error = await failure(client(server.endpoint).sendToAll("x"));
        assert.equal(error.name, "ServiceError");
        assert.equal(error.statusCode, 502);
        assert.equal(server.requests.length, 3);
      });
    });

    describe("resets and silence", () => {
      it("retries a connection reset before any answer, then succeeds", async () => {
        const server = await hostile((req, res, i) => {
          if (i === 0) req.socket.destroy();
          else {
            res.statusCode = 202;
            res.end();
          }
        });
        await client(server.endpoint).sendToAll("x");
        assert.equal(server.requests.length, 2);
      });

      it("rejects (never crashes) when the body is cut by a reset every time", async () => {
        const endpoint = await rawServer((socket) => {
          socket.once("data", () => {
            socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"value":[');
            setTimeout(() => socket.destroy(), 10);
          });
        });
        const error = await failure(client(endpoint).listConnectionsInGroup("g").next());
        assert.equal((error as { code?: string }).code, "ECONNRESET");
      });

      it("abortSignal ends a call to a silent server at once", async () => {
        const server = await hostile(() => {
          /* never answers */
        });
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        const started = Date.now();
        const error = await failure(
          client(server.endpoint).sendToAll("x", {
            abortSignal: controller.signal,
          }),
        );
        assert.equal(error.name, "AbortError");
        assert.ok(Date.now() - started < 2000);
      });

      it("requestOptions.timeout is a total deadline across retries against a silent server", async () => {
        const server = await hostile(() => {
          /* never answers */
        });
        const started = Date.now();
        const error = await failure(
          client(server.endpoint, {
            retryOptions: {
              maxRetries: 3,
              retryDelayInMs: 1,
              maxRetryDelayInMs: 5,
            },
          }).sendToAll("x", { requestOptions: { timeout: 300 } }),
        );
        const elapsed = Date.now() - started;
        assert.equal(error.code, "WPS_ERR_TIMEOUT");
        assert.ok(elapsed < 1000, `took ${elapsed} ms for a 300 ms deadline`);
      });

      it("requestOptions.timeout also ends a server that drips its answer a byte at a time", async () => {
        const endpoint = await rawServer((socket) => {
          socket.once("data", () => {
            const answer = "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n";
            let i = 0;
            const timer = setInterval(() => {
              if (socket.destroyed || i >= answer.length) return clearInterval(timer);
              socket.write(answer[i++]!);
            }, 100);
            socket.on("close", () => clearInterval(timer));
          });
        });
        const started = Date.now();
        const error = await failure(client(endpoint).sendToAll("x", { requestOptions: { timeout: 400 } }));
        assert.equal(error.code, "WPS_ERR_TIMEOUT");
        assert.ok(Date.now() - started < 1500);
      });

      it("the deadline does not fire for a call that completes in time", async () => {
        const server = await hostile((_req, res) => {
          setTimeout(() => {
            res.statusCode = 202;
            res.end();
          }, 50);
        });
        await client(server.endpoint).sendToAll("x", {
          requestOptions: { timeout: 2000 },
        });
        assert.equal(server.requests.length, 1);
      });
    });

    describe("foreign URLs", () => {
      it("does not follow a cross-origin redirect: the other origin sees nothing", async () => {
        const thief = await hostile((_req, res) => {
          res.statusCode = 202;
          res.end();
        });
        const server = await hostile((_req, res) => {
          res.writeHead(307, { location: `${thief.endpoint}/steal` });
          res.end();
        });
        const error = await failure(client(server.endpoint).sendToAll("x"));
        assert.equal(error.statusCode, 307);
        assert.equal(thief.requests.length, 0);
      });

      it("refuses a cross-origin redirect even when redirects across origins are allowed", async () => {
        const thief = await hostile((_req, res) => {
          res.statusCode = 200;
          res.end();
        });
        const server = await hostile((_req, res) => {
          res.writeHead(302, { location: `${thief.endpoint}/steal` });
          res.end();
        });
        const error = await failure(
          client(server.endpoint, {
            redirectOptions: { allowCrossOriginRedirects: true },
          }).groupExists("g"),
        );
        assert.equal(error.code, "WPS_ERR_FOREIGN_URL");
        assert.equal(thief.requests.length, 0);
      });

      it("refuses a custom policy that points a request at another origin", async () => {
        const thief = await hostile((_req, res) => {
          res.statusCode = 202;
          res.end();
        });
        const server = await hostile((_req, res) => {
          res.statusCode = 202;
          res.end();
        });
        const c = client(server.endpoint, {
          additionalPolicies: [
            {
              position: "perCall",
              policy: {
                name: "swap",
                sendRequest: (req, next) =>
                  next(
                    Object.assign(req, {
                      url: req.url.replace(server.endpoint, thief.endpoint),
                    }),
                  ),
              },
            },
          ],
        });
        const error = await failure(c.sendToAll("x"));
        assert.equal(error.code, "WPS_ERR_FOREIGN_URL");
        assert.equal(thief.requests.length + server.requests.length, 0);
      });

      it("yields a page but does not follow a nextLink to another origin", async () => {
        const thief = await hostile((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"value":[{"connectionId":"stolen"}]}');
        });
        const server = await hostile((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              value: [{ connectionId: "a" }],
              nextLink: `${thief.endpoint}/api/hubs/chat/groups/g/connections?continuationToken=x`,
            }),
          );
        });
        const pages = client(server.endpoint).listConnectionsInGroup("g").byPage();
        const first = await pages.next();
        assert.deepEqual([...first.value!], [{ connectionId: "a" }]);
        const error = await failure(pages.next());
        assert.equal(error.code, "WPS_ERR_FOREIGN_URL");
        assert.equal(thief.requests.length, 0);
      });

      it("does not follow a nextLink on the same origin that names another hub", async () => {
        const server = await hostile((req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              value: [{ connectionId: "a" }],
              nextLink: `http://${req.headers.host}/api/hubs/other/groups/g/connections?continuationToken=x`,
            }),
          );
        });
        const items = client(server.endpoint).listConnectionsInGroup("g");
        assert.deepEqual((await items.next()).value, { connectionId: "a" });
        assert.equal((await failure(items.next())).code, "WPS_ERR_FOREIGN_URL");
        assert.equal(server.requests.length, 1);
      });

      it("refuses a continuationToken for another hub, group or host before any request", async () => {
        const server = await hostile((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end('{"value":[]}');
        });
        const c = client(server.endpoint, {}, "a");
        for (const token of [
          `${server.endpoint}/api/hubs/b/groups/g/connections?continuationToken=x`,
          `${server.endpoint}/api/hubs/a/groups/h/connections?continuationToken=x`,
          `http://localhost:1/api/hubs/a/groups/g/connections?continuationToken=x`,
          "not a url",
        ]) {
          const error = await failure(c.listConnectionsInGroup("g").byPage({ continuationToken: token }).next());
          assert.equal(error.code, "WPS_ERR_INVALID_ARGUMENT", token);
        }
        assert.equal(server.requests.length, 0);
        // The client's own link is followed.
        const own = await c
          .listConnectionsInGroup("g")
          .byPage({
            continuationToken: `${server.endpoint}/api/hubs/a/groups/g/connections?continuationToken=x&api-version=2024-12-01`,
          })
          .next();
        assert.deepEqual([...own.value!], []);
        assert.equal(server.requests.length, 1);
      });
    });

    describe("bodies", () => {
      it("cuts a huge error body to a short message", async () => {
        const big = "x".repeat(20 * 1024 * 1024);
        const server = await hostile((_req, res) => {
          res.writeHead(400, { "content-type": "text/plain" });
          res.end(big);
        });
        const error = await failure(
          client(server.endpoint, {
            retryOptions: { maxRetries: 0 },
          }).sendToAll("x"),
        );
        assert.equal(error.statusCode, 400);
        assert.ok(error.message.length < 2048, `message is ${error.message.length} characters`);
      });

      it("reports a non-JSON error body that claims JSON as text, without quoting all of it", async () => {
        const server = await hostile((_req, res) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(`<html>${"oops ".repeat(5000)}</html>`);
        });
        const error = await failure(
          client(server.endpoint, {
            retryOptions: { maxRetries: 0 },
          }).sendToAll("x"),
        );
        assert.equal(error.name, "ServiceError");
        assert.match(error.message, /<html>oops/);
        assert.ok(error.message.length < 2048);
      });

      it("refuses a success body that claims JSON but is not, without quoting it", async () => {
        const server = await hostile((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(`not json ${KEY}`);
        });
        const error = await failure(client(server.endpoint).listConnectionsInGroup("g").next());
        assert.equal(error.code, "PARSE_ERROR");
        assert.ok(!error.message.includes("not json"));
      });

      it("removes the access key from errors when a server echoes it", async () => {
        const server = await hostile((_req, res) => {
          res.writeHead(401, {
            "content-type": "application/json",
            "x-ms-error-code": `Bad${KEY}`,
          });
          res.end(
            JSON.stringify({
              code: "Unauthorized",
              message: `the key ${KEY} is wrong`,
            }),
          );
        });
        const error = await failure(client(server.endpoint).sendToAll("x"));
        assert.equal(error.statusCode, 401);
        assert.match(error.message, /the key REDACTED is wrong/);
        assert.ok(!JSON.stringify({ ...error, message: error.message }).includes(KEY));
      });

      it("refuses a gzip bomb on success (WPS_ERR_RESPONSE_TOO_LARGE) and stays up", async () => {
        const bomb = await gzipOfZeros(64 * 1024 * 1024);
        const server = await hostile((_req, res) => {
          res.writeHead(200, {
            "content-type": "application/json",
            "content-encoding": "gzip",
          });
          res.end(bomb);
        });
        const error = await failure(client(server.endpoint).listConnectionsInGroup("g").next());
        assert.equal(error.code, "WPS_ERR_RESPONSE_TOO_LARGE");
      });

      it("still reports the status of a failed call whose body is a gzip bomb", async () => {
        const bomb = await gzipOfZeros(16 * 1024 * 1024);
        const server = await hostile((_req, res) => {
          res.writeHead(400, {
            "content-type": "text/plain",
            "content-encoding": "gzip",
          });
          res.end(bomb);
        });
        const error = await failure(client(server.endpoint).sendToAll("x"));
        assert.equal(error.statusCode, 400);
      });

      it("refuses an uncompressed success body over the cap", async () => {
        const server = await hostile((_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(`{"value":[],"pad":"${"p".repeat(9 * 1024 * 1024)}"}`);
        });
        const error = await failure(client(server.endpoint).listConnectionsInGroup("g").next());
        assert.equal(error.code, "WPS_ERR_RESPONSE_TOO_LARGE");
      });
    });
  });
}

describe("secrets", () => {
  it("no error and no log line of this suite holds the key or a JWT", () => {
    assert.ok(errors.length >= 30, `checked ${errors.length} errors`);
    assert.ok(logLines.length >= 15, `checked ${logLines.length} log lines`);
    assert.ok(tokensSeen.size > 0, "the servers saw signed requests");
    const texts = [
      ...logLines,
      ...errors.flatMap((e) => {
        const err = e as Error & { cause?: unknown };
        return [err.message, String(err.stack), JSON.stringify({ ...err }), err.cause instanceof Error ? err.cause.message : String(err.cause ?? "")];
      }),
    ];
    for (const text of texts) {
      assert.ok(!text.includes(KEY), `key in: ${text.slice(0, 200)}`);
      assert.ok(!JWT_SHAPE.test(text), `JWT in: ${text.slice(0, 200)}`);
      for (const token of tokensSeen) assert.ok(!text.includes(token), `a request's token in: ${text.slice(0, 200)}`);
    }
  });
});
