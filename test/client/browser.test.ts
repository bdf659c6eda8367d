// The browser build in real headless Chromium: a page served on loopback loads it, connects to
// the emulator (through a proxy the test can cut), joins a group, receives messages, recovers.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import type { Emulator } from "../../src/emulator/index.js";
import { bundleClient } from "../../scripts/browserBundle.mjs";
import { clientUrl, restSend, startEmu, startProxy, type Proxy } from "./support.js";

const CHROMIUM = "/usr/bin/chromium";

const PAGE = `<!doctype html><meta charset="utf-8"><title>client</title>
<script type="module">
  import { WebPubSubClient } from "/client.js";
  const seen = [];
  const events = [];
  let client;
  window.startClient = async (url) => {
    client = new WebPubSubClient(url, { keepAliveIntervalInMs: 200, keepAliveTimeoutInMs: 1000 });
    client.on("group-message", (e) => {
      const d = e.message.data;
      seen.push(d instanceof ArrayBuffer ? { bytes: [...new Uint8Array(d)] } : { [e.message.dataType]: d });
    });
    for (const name of ["connected", "recovering", "recovered", "disconnected", "stopped"]) client.on(name, () => events.push(name));
    await client.start();
    await client.joinGroup("browser");
    return typeof WebSocket === "function" && typeof globalThis.Buffer === "undefined";
  };
  window.waitFor = (n) => new Promise((resolve) => {
    const check = () => (seen.length >= n ? resolve({ seen, events }) : setTimeout(check, 10));
    check();
  });
  window.waitForEvent = (name) => new Promise((resolve) => {
    const check = () => (events.includes(name) ? resolve(events) : setTimeout(check, 10));
    check();
  });
  window.stopClient = async () => { await client.stop(); return events; };
  // The errors of one browser file (production or development) for three mistakes.
  window.errorsOf = async (path) => {
    const { WebPubSubClient: Client } = await import(path);
    const out = [];
    const note = (err) => out.push({ name: err.name, code: err.code, message: err.message });
    try { new Client("ftp://example.com/client/hubs/h"); } catch (err) { note(err); }
    const idle = new Client("wss://example.com/client/hubs/h");
    await idle.sendToGroup("", "x", "text").catch(note);
    await idle.sendToGroup("g", "x", "text").catch(note);
    return out;
  };
</script>`;

describe("client in headless Chromium", function () {
  this.timeout(60_000);
  let emu: Emulator;
  let proxy: Proxy;
  let server: Server;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: no Chromium at ${CHROMIUM} (CI installs it)`);
      this.skip();
    }
    // The default file (short error messages) drives the client; the development one is
    // loaded only to compare its errors.
    const code = await bundleClient();
    const devCode = await bundleClient({ verbose: true });
    server = createServer((req, res) => {
      if (req.url === "/client.js") res.writeHead(200, { "content-type": "text/javascript" }).end(code);
      else if (req.url === "/client.development.js") res.writeHead(200, { "content-type": "text/javascript" }).end(devCode);
      else res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    emu = await startEmu();
    proxy = await startProxy(emu.port);
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    });
    page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await emu?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it("loads the browser build, connects, joins a group, receives text, json and binary, and recovers a cut connection", async () => {
    const url = clientUrl(emu, "hub", { roles: ["webpubsub.joinLeaveGroup"], port: proxy.port });
    const native = await page.evaluate((u) => (window as any).startClient(u), url);
    assert.equal(native, true, "the page's own WebSocket, and no Buffer");
    assert.equal(await restSend(emu, "/api/hubs/hub/groups/browser/:send", "hello"), 202);
    assert.equal(await restSend(emu, "/api/hubs/hub/groups/browser/:send", '{"n":1}', "application/json"), 202);
    assert.equal(await restSend(emu, "/api/hubs/hub/groups/browser/:send", "\u0001\u0002", "application/octet-stream"), 202);
    const first = await page.evaluate(() => (window as any).waitFor(3));
    assert.deepEqual(first.seen, [{ text: "hello" }, { json: { n: 1 } }, { bytes: [1, 2] }]);

    proxy.killAll();
    await page.evaluate(() => (window as any).waitForEvent("recovered"));
    assert.equal(await restSend(emu, "/api/hubs/hub/groups/browser/:send", "after"), 202);
    const second = await page.evaluate(() => (window as any).waitFor(4));
    assert.deepEqual(second.seen.at(-1), { text: "after" });
    assert.deepEqual(second.events, ["connected", "recovering", "recovered"]);
    assert.deepEqual(await page.evaluate(() => (window as any).stopClient()), ["connected", "recovering", "recovered", "disconnected", "stopped"]);
  });

  it("gives the same error classes and codes from the production and development files, with sentences only in development", async () => {
    const prod = await page.evaluate(() => (window as any).errorsOf("/client.js"));
    const dev = await page.evaluate(() => (window as any).errorsOf("/client.development.js"));
    const shape = (list: { name: string; code: string }[]) => list.map(({ name, code }) => `${name} ${code}`);
    assert.deepEqual(shape(prod), ["TypeError WPS_ERR_INVALID_ARGUMENT", "TypeError WPS_ERR_INVALID_ARGUMENT", "SendMessageError WPS_ERR_NOT_CONNECTED"]);
    assert.deepEqual(shape(dev), shape(prod));
    assert.deepEqual(
      prod.map((e: { message: string }) => e.message),
      ["invalid credential", "invalid groupName", "WPS_ERR_NOT_CONNECTED"],
    );
    assert.deepEqual(
      dev.map((e: { message: string }) => e.message),
      ["client access URL must be wss://, got ftp:", "groupName must be a non-empty string, got ", "message 1 was not sent: call start() first"],
    );
  });
});
