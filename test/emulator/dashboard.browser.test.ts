// The dashboard page in real headless Chromium, against a real emulator on loopback: live
// connections, a send and a close driven from the page, a refusal's reason, the test-client
// panel and the login form. Screenshots go to test-output/dashboard/ (gitignored).
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import type { Browser, Page } from "playwright-core";
import { WebPubSubClient, WebPubSubJsonProtocol } from "../../src/client/index.js";
import type { Emulator } from "../../src/emulator/index.js";
import { bundleClient } from "../../scripts/browserBundle.mjs";
import { clientUrl, start, withRealSockets } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const SHOTS = join(ROOT, "test-output", "dashboard");
const HUB = "chat";

/** A Node client of the SDK that keeps what it receives and how it ended. */
interface NodeClient {
  client: WebPubSubClient;
  connectionId: string;
  received: unknown[];
  closed: Promise<{ code: number | undefined; reason: string | undefined }>;
}

async function connectClient(emu: Emulator, userId: string, roles: string[], reliable = false): Promise<NodeClient> {
  const client = new WebPubSubClient(clientUrl(emu, HUB, { userId, roles, groups: ["room"] }), {
    // The json protocol cannot recover, so a close ends the client; the reliable one recovers drops.
    ...(reliable ? {} : { protocol: WebPubSubJsonProtocol(), autoReconnect: false }),
    // nock (loaded by other suites) must not wrap these sockets.
    webSocket: (url: string, protocol: string) => withRealSockets(() => new WebSocket(url, protocol)),
  });
  const received: unknown[] = [];
  client.on("group-message", (e) => received.push(e.message.data));
  client.on("server-message", (e) => received.push(e.message.data));
  const closed = new Promise<{ code: number | undefined; reason: string | undefined }>((resolve) => client.on("disconnected", (e) => resolve({ code: e.code, reason: e.reason })));
  let connectionId = "";
  client.on("connected", (e) => (connectionId = e.connectionId));
  await client.start();
  return { client, connectionId, received, closed };
}

/** Waits (bounded) until `check` holds; the message names what was awaited. */
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function row(page: Page, connectionId: string) {
  return page.locator(`#connections tbody tr[data-connection-id="${connectionId}"]`);
}

describe("dashboard in headless Chromium", function () {
  this.timeout(90_000);
  let emu: Emulator | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const clients: NodeClient[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: no Chromium at ${CHROMIUM} (CI installs it)`);
      this.skip();
    }
    mkdirSync(SHOTS, { recursive: true });
    // The test-client panel loads the SDK's browser bundle from where `npm run build` puts it.
    await bundleClient({ outfile: join(ROOT, "dist", "browser", "client.js") });
    emu = await start();
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    await page.goto(`http://127.0.0.1:${emu.port}/_dashboard`);
    await page.locator("#live[data-state=live]").waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, [], "the page loads without script errors");
  });

  after(async () => {
    for (const c of clients) await c.client.stop();
    await browser?.close();
    await emu?.close();
  });

  it("shows two new Node clients within a second of connecting, with user, protocol and group", async () => {
    const alice = await connectClient(emu!, "alice", ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"]);
    const bob = await connectClient(emu!, "bob", ["webpubsub.joinLeaveGroup"]);
    clients.push(alice, bob);
    // Pushed by the event stream (batched every 100 ms, drawn in the next frame): no reload, no polling.
    await page.waitForFunction(
      (ids) => ids.every((id) => document.querySelector(`#connections tbody tr[data-connection-id="${CSS.escape(id)}"]`)),
      [alice.connectionId, bob.connectionId],
      { timeout: 1000 },
    );
    const cells = await row(page, alice.connectionId).locator("td").allTextContents();
    assert.equal(cells[0], HUB);
    assert.equal(cells[2], "alice");
    assert.equal(cells[3], "json");
    assert.equal(cells[4], "room");
    assert.equal(cells[9], "open");
    await page.locator("#groups li", { hasText: "room" }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(SHOTS, "1-connections.png") });
  });

  it("shows what clients control (a user id here) as text, never as markup", async () => {
    const name = `<img src=x onerror="window.__injected = 1">`;
    const mallory = await connectClient(emu!, name, []);
    try {
      await row(page, mallory.connectionId).waitFor({ timeout: 5000 });
      assert.equal(await row(page, mallory.connectionId).locator("td").nth(2).textContent(), name);
      await row(page, mallory.connectionId).click();
      await page.locator("#detail-claims dd", { hasText: name }).waitFor({ timeout: 5000 });
      assert.equal(await page.locator("#connections img, #detail img, #traffic img").count(), 0);
      assert.equal(await page.evaluate(() => (window as { __injected?: number }).__injected), undefined);
    } finally {
      await mallory.client.stop();
    }
  });

  it("sends a group message and a binary message from the page's form, and the Node clients receive them", async () => {
    const [alice, bob] = clients;
    await page.locator("[role=tab][data-tab=drive]").click();
    const form = page.locator("#send-form");
    await form.locator("[name=hub]").fill(HUB);
    await form.locator("[name=kind]").selectOption("group");
    await form.locator("[name=target]").fill("room");
    await form.locator("[name=contentType]").selectOption("text/plain");
    await form.locator("[name=data]").fill("hello from the dashboard");
    await form.locator("button[type=submit]").click();
    await form.locator(".status[data-tone=ok]").waitFor({ timeout: 5000 });
    await until(() => alice!.received.includes("hello from the dashboard") && bob!.received.includes("hello from the dashboard"), "both clients got the group message");

    await form.locator("[name=kind]").selectOption("connection");
    await form.locator("[name=target]").fill(bob!.connectionId);
    await form.locator("[name=contentType]").selectOption("application/octet-stream");
    await form.locator("[name=data]").fill("AQID");
    await form.locator("button[type=submit]").click();
    await until(() => bob!.received.some((d) => d instanceof ArrayBuffer || ArrayBuffer.isView(d)), "bob got the binary message");
    const bytes = bob!.received.find((d) => d instanceof ArrayBuffer || ArrayBuffer.isView(d)) as ArrayBuffer | Uint8Array;
    assert.deepEqual([...new Uint8Array(bytes instanceof ArrayBuffer ? bytes : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))], [1, 2, 3]);
    assert.equal(alice!.received.length, 1, "alice got only the group message");

    // A bad request shows the server's message, not a generic failure.
    await form.locator("[name=kind]").selectOption("group");
    await form.locator("[name=target]").fill("room");
    await form.locator("[name=contentType]").selectOption("application/json");
    await form.locator("[name=data]").fill("{not json");
    await form.locator("button[type=submit]").click();
    await form.locator(".status[data-tone=error]", { hasText: "Not JSON" }).waitFor({ timeout: 5000 });
  });

  it("shows the emulator's message when it refuses an action, and an armed upstream fault on its hub", async () => {
    await page.locator("[role=tab][data-tab=drive]").click();
    const send = page.locator("#send-form");
    await send.locator("[name=hub]").fill("nohub");
    await send.locator("[name=kind]").selectOption("all");
    await send.locator("[name=contentType]").selectOption("text/plain");
    await send.locator("[name=data]").fill("hello?");
    await send.locator("button[type=submit]").click();
    // The server's own sentence (it names the hub) and its status, not a generic failure.
    await send.locator(".status[data-tone=error]", { hasText: /'nohub'.*\(404 / }).waitFor({ timeout: 5000 });

    const fault = page.locator("#fault-form");
    await fault.locator("[name=hub]").fill(HUB);
    await fault.locator("[name=mode]").selectOption("fail");
    await fault.locator("[name=count]").fill("0");
    await fault.locator("button[type=submit]").click();
    await fault.locator(".status[data-tone=error]", { hasText: /'count'.*\(400 / }).waitFor({ timeout: 5000 });
    await fault.locator("[name=count]").fill("2");
    await fault.locator("[name=status]").fill("503");
    await fault.locator("button[type=submit]").click();
    await page.locator("#hubs li", { hasText: "handler: fail next 2 (503)" }).waitFor({ timeout: 5000 });
    await fault.locator("[name=mode]").selectOption("none");
    await fault.locator("button[type=submit]").click();
    await page.locator("#hubs li", { hasText: "no event handler" }).waitFor({ timeout: 5000 });
  });

  it("shows why a frame was refused in the connection's timeline", async () => {
    const bob = clients[1]!;
    // bob may join groups but not send to them: the emulator answers with a Forbidden ack.
    await assert.rejects(bob.client.sendToGroup("room", "not allowed", "text"), { code: "WPS_ERR_ACK_REJECTED" });
    await row(page, bob.connectionId).click();
    const why = page.locator("#timeline .why").first();
    await why.waitFor({ timeout: 5000 });
    assert.match((await why.textContent()) ?? "", /^Why refused: .*webpubsub\.sendToGroup/);
    assert.match((await page.locator("#detail-why").textContent()) ?? "", /^Why refused: /);
    await page.screenshot({ path: join(SHOTS, "2-refused.png") });
  });

  it("closes a connection from the page with a chosen code: the client sees it, the timeline shows it", async () => {
    const alice = clients[0]!;
    await row(page, alice.connectionId).click();
    await page.locator("#detail-title", { hasText: alice.connectionId }).waitFor({ timeout: 5000 });
    const close = page.locator("#detail-close");
    await close.locator("[name=code]").fill("4001");
    await close.locator("[name=reason]").fill("closed from the dashboard test");
    await close.locator("button[type=submit]").click();
    const seen = await alice.closed;
    assert.equal(seen.code, 4001);
    assert.equal(seen.reason, "closed from the dashboard test");
    await page.locator("#detail-facts dd.bad", { hasText: "closed with 4001" }).waitFor({ timeout: 5000 });
    await page.locator("#timeline li", { hasText: "close 4001" }).waitFor({ timeout: 5000 });
    // The table learns it from the event stream, the timeline from its own fetch: either may be first.
    await row(page, alice.connectionId).locator("td").nth(9).filter({ hasText: /^closed 4001$/ }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(SHOTS, "3-closed.png") });
  });

  it("drops a connection's TCP socket from the page: a reliable client recovers, the timeline shows the drop and the recovery", async () => {
    const dave = await connectClient(emu!, "dave", [], true);
    clients.push(dave);
    const recovered = new Promise<unknown>((resolve) => dave.client.on("recovered", resolve));
    await row(page, dave.connectionId).click();
    await page.locator("#detail-title", { hasText: dave.connectionId }).waitFor({ timeout: 5000 });
    await page.locator("#detail-drop").click();
    await page.locator("#detail-status[data-tone=ok]").waitFor({ timeout: 5000 });
    await recovered;
    await page.locator("#timeline li", { hasText: "lost; waiting" }).waitFor({ timeout: 5000 });
    await page.locator("#timeline li", { hasText: `recovered ${dave.connectionId}` }).waitFor({ timeout: 5000 });
    await row(page, dave.connectionId).locator("td").nth(9).filter({ hasText: /^open$/ }).waitFor({ timeout: 5000 });
  });

  it("connects the test-client panel, joins a group and shows what it receives", async () => {
    const bob = clients[1]!;
    await page.locator("[role=tab][data-tab=client]").click();
    const form = page.locator("#client-form");
    await form.locator("[name=hub]").fill(HUB);
    await form.locator("[name=userId]").fill("panel");
    await form.locator("button[type=submit]").click();
    await page.locator("#client-state", { hasText: "connected as" }).waitFor({ timeout: 10_000 });
    const group = page.locator("#client-group");
    await group.locator("[name=group]").fill("room");
    await group.locator("button[value=join]").click();
    await page.locator("#client-status", { hasText: "Joined 'room'" }).waitFor({ timeout: 5000 });
    // The service side sends to the group through the page's own send form; bob sees it too.
    await page.locator("[role=tab][data-tab=drive]").click();
    const send = page.locator("#send-form");
    await send.locator("[name=hub]").fill(HUB);
    await send.locator("[name=kind]").selectOption("group");
    await send.locator("[name=target]").fill("room");
    await send.locator("[name=contentType]").selectOption("application/json");
    await send.locator("[name=data]").fill('{"to":"panel"}');
    await send.locator("button[type=submit]").click();
    await page.locator("[role=tab][data-tab=client]").click();
    await page.locator("#client-log li", { hasText: `group 'room' from the server: {"to":"panel"}` }).waitFor({ timeout: 5000 });
    await until(() => bob.received.some((d) => JSON.stringify(d) === '{"to":"panel"}'), "bob got the JSON message");
    await page.screenshot({ path: join(SHOTS, "4-test-client.png") });
    await page.locator("#client-stop").click();
    await page.locator("#client-state", { hasText: "not connected" }).waitFor({ timeout: 5000 });
  });

  it("asks for the access key on a 401, posts it as JSON to /api/login, then loads the state", async () => {
    // The emulator here is on loopback (open); the 401s of a network-bound one are played by routes.
    const other = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const logins: unknown[] = [];
    let signedIn = false;
    try {
      await other.route("**/_dashboard/api/state", (route) =>
        signedIn ? route.continue() : route.fulfill({ status: 401, contentType: "application/json", body: JSON.stringify({ code: "Error.Unauthorized", message: "Log in with the emulator's access key." }) }),
      );
      await other.route("**/_dashboard/api/login", async (route) => {
        const request = route.request();
        assert.equal(request.headers()["content-type"], "application/json");
        const body = request.postDataJSON() as { accessKey?: string };
        logins.push(body);
        signedIn = body.accessKey === "right key";
        await route.fulfill(
          signedIn
            ? { status: 200, contentType: "application/json", body: '{"ok":true}' }
            : { status: 401, contentType: "application/json", body: JSON.stringify({ code: "Error.Unauthorized", message: "The access key does not match." }) },
        );
      });
      await other.goto(`http://127.0.0.1:${emu!.port}/_dashboard`);
      const login = other.locator("#login-form");
      await login.waitFor({ state: "visible", timeout: 5000 });
      await login.locator("[name=accessKey]").fill("wrong key");
      await login.locator("button[type=submit]").click();
      await login.locator(".status", { hasText: "The access key does not match." }).waitFor({ timeout: 5000 });
      await login.locator("[name=accessKey]").fill("right key");
      await login.locator("button[type=submit]").click();
      await other.locator("#live[data-state=live]").waitFor({ timeout: 5000 });
      assert.equal(await other.locator("#login").isHidden(), true);
      assert.deepEqual(logins, [{ accessKey: "wrong key" }, { accessKey: "right key" }]);
      assert.ok((await other.locator("#connections tbody tr").count()) > 0, "the real state loaded after the login");
    } finally {
      await other.close();
    }
  });

  it("shows the server's message when the client bundle is not built", async () => {
    const other = await browser!.newPage();
    try {
      await other.route("**/_dashboard/client.js", (route) =>
        route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ code: "Error.NotFound", message: "The client SDK's browser bundle is not built: run npm run build." }) }),
      );
      await other.goto(`http://127.0.0.1:${emu!.port}/_dashboard`);
      await other.locator("[role=tab][data-tab=client]").click();
      await other.locator("#client-form [name=hub]").fill(HUB);
      await other.locator("#client-form button[type=submit]").click();
      await other.locator("#client-status[data-tone=error]", { hasText: "run npm run build" }).waitFor({ timeout: 5000 });
      assert.equal(await other.locator("#client-state").textContent(), "not connected");
    } finally {
      await other.close();
    }
  });

  it("reconnects by itself when the emulator restarts, and shows the new emulator's state", async () => {
    const port = emu!.port;
    const bob = clients[1]!;
    await emu!.close();
    await page.locator("#live:not([data-state=live])").waitFor({ timeout: 5000 });
    emu = await start({ port });
    const carol = await connectClient(emu, "carol", []);
    clients.push(carol);
    // EventSource retries on its own (about every 3 s in Chromium); the page then starts from the new snapshot.
    await row(page, carol.connectionId).waitFor({ timeout: 15_000 });
    await page.locator("#live[data-state=live]").waitFor({ timeout: 5000 });
    assert.equal(await row(page, bob.connectionId).count(), 0, "the old emulator's connections are gone");
  });
});
