// Takes the README's dashboard screenshot (docs/images/dashboard.png): an emulator with an
// event handler, a few clients in groups, some traffic, a refused send and a failing handler
// call, then the page at 1280x800 with one connection's timeline open.
// Usage: npx tsx scripts/dashboardScreenshot.ts [out.png]   (needs Chromium at /usr/bin/chromium)
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WebPubSubServiceClient } from "../src/index.js";
import { WebPubSubClient, WebPubSubJsonProtocol } from "../src/client/index.js";
import { startEmulator } from "../src/emulator/index.js";
import { bundleClient } from "./browserBundle.mjs";
import { toPalettePng } from "./pngPalette.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = process.argv[2] ?? join(root, "docs", "images", "dashboard.png");

// An event handler that accepts every connect and every event (204); the fault injected
// below makes one of its calls fail.
const handler = createServer((req, res) => {
  if (req.method === "OPTIONS") return void res.writeHead(200, { "WebHook-Allowed-Origin": "*" }).end();
  req.resume();
  req.on("end", () => res.writeHead(204).end());
});
await new Promise<void>((resolve) => handler.listen(0, "127.0.0.1", resolve));
const upstream = `http://127.0.0.1:${(handler.address() as AddressInfo).port}/{event}`;

await bundleClient({ outfile: join(root, "dist", "browser", "client.js") });
const emu = await startEmulator({
  port: 0,
  hubs: { chat: { eventHandlers: [{ urlTemplate: upstream, userEventPattern: "*", systemEvents: ["connect", "connected", "disconnected"] }] } },
});
const service = new WebPubSubServiceClient(emu.connectionString, "chat");
const clients: WebPubSubClient[] = [];
try {
  const people: [string, string[], string[]][] = [
    ["alice", ["room", "ops"], ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"]],
    ["bob", ["room"], ["webpubsub.joinLeaveGroup"]],
    ["carol", ["room"], ["webpubsub.sendToGroup.room"]],
    ["dave", ["ops"], []],
    ["erin", [], []],
  ];
  for (const [userId, groups, roles] of people) {
    const { url } = await service.getClientAccessToken({ userId, groups, roles });
    const client = new WebPubSubClient(url, userId === "erin" ? { protocol: WebPubSubJsonProtocol() } : {});
    await client.start();
    clients.push(client);
  }
  await service.sendToAll("maintenance at 18:00");
  await service.group("room").sendToAll({ topic: "standup", at: "09:30" });
  await clients[0]!.sendToGroup("room", "hi room", "text");
  await clients[1]!.sendToGroup("ops", "let me in", "text").catch(() => undefined); // refused: no role
  await clients[2]!.sendEvent("typing", { in: "room" }, "json");
  await service.sendToUser("dave", "your build finished");

  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(emu.dashboardUrl!);
    await page.locator("#live[data-state=live]").waitFor();
    // A failing handler call, armed from the page as a user would.
    await page.locator("[role=tab][data-tab=drive]").click();
    await page.locator("#fault-form [name=count]").fill("1");
    await page.locator("#fault-form button[type=submit]").click();
    await page.locator("#fault-form .status[data-tone=ok]").waitFor();
    await clients[2]!.sendEvent("typing", { in: "room" }, "json").catch(() => undefined);
    const bob = page.locator("#connections tbody tr", { hasText: "bob" });
    await bob.click();
    await page.locator("#timeline .why").first().waitFor();
    await page.waitForTimeout(300); // let the last frame settle
    // A palette PNG: a third of the size, the same to the eye (the README keeps it under 200 KB).
    const png = toPalettePng(await page.screenshot());
    writeFileSync(out, png);
    console.log(`wrote ${out} (${Math.round(png.length / 1024)} KB)`);
  } finally {
    await browser.close();
  }
} finally {
  for (const client of clients) await client.stop();
  await emu.close();
  await new Promise((resolve) => handler.close(resolve));
}
