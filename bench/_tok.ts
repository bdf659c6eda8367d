import { createHmac } from "node:crypto";
import { WebPubSubServiceClient } from "../src/index.js";
import { signClientAccessTokenSync, checkTokenOptions } from "../src/server/clientToken.js";
const KEY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
const c = new WebPubSubServiceClient(`Endpoint=http://127.0.0.1:1;AccessKey=${KEY};`, "bench");
const head = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url");
const floor = () => { const now = Math.floor(Date.now() / 1000); const body = `${head}.${Buffer.from(`{"sub":"u","aud":"ws://127.0.0.1:1/client/hubs/bench","iat":${now},"exp":${now + 3600}}`).toString("base64url")}`; return `${body}.${createHmac("sha256", KEY).update(body).digest("base64url")}`; };
function t(name: string, f: () => unknown, n = 200000) { for (let i = 0; i < 20000; i++) f(); const s = process.cpuUsage(); for (let i = 0; i < n; i++) f(); const u = process.cpuUsage(s); console.log(name.padEnd(30), ((u.user + u.system) / n).toFixed(2), "µs"); }
async function ta(name: string, f: () => Promise<unknown>, n = 200000) { for (let i = 0; i < 20000; i++) await f(); const s = process.cpuUsage(); for (let i = 0; i < n; i++) await f(); const u = process.cpuUsage(s); console.log(name.padEnd(30), ((u.user + u.system) / n).toFixed(2), "µs"); }
const o = { userId: "u" };
for (let r = 0; r < 2; r++) {
  t("floor sync", floor);
  await ta("floor async", async () => floor());
  t("signSync", () => signClientAccessTokenSync("http://127.0.0.1:1", "bench", KEY, o));
  t("checkTokenOptions", () => checkTokenOptions(o));
  await ta("getClientAccessToken", () => c.getClientAccessToken(o));
  t("hmac only", () => createHmac("sha256", KEY).update("x".repeat(200)).digest("base64url"));
  t("encodeURIComponent jwt", () => encodeURIComponent(floor()));
  t("new Date", () => new Date(1e12));
}
