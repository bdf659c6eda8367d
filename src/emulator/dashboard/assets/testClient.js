// The test-client panel: a browser client (the client SDK's browser bundle, served at
// /_dashboard/client.js) connected from this page with a URL from POST /_dashboard/api/token.
import { BASE, postJson } from "./api.js";
import { clock, describeCloseCode } from "./describe.js";
import { byId, h, setStatus } from "./dom.js";

/** Lines kept in the "Received" list. */
const LOG_LIMIT = 200;

let sdk = null;

/** Imports the bundle once; a 404 (a clone without a build) shows the server's message. */
async function loadSdk() {
  if (sdk) return sdk;
  const res = await fetch(`${BASE}/client.js`, { credentials: "same-origin" });
  if (!res.ok) {
    let message = `client.js: HTTP ${res.status}`;
    try {
      const body = await res.json();
      if (body && typeof body.message === "string") message = body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(message);
  }
  sdk = await import(`${BASE}/client.js`);
  return sdk;
}

function showData(data) {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return `${bytes.length} bytes, base64 ${btoa(binary)}`;
  }
  return JSON.stringify(data);
}

/** Wires the panel (its forms are in index.html). */
export function setupTestClient() {
  const form = byId("client-form");
  const stopButton = byId("client-stop");
  const stateEl = byId("client-state");
  const status = byId("client-status");
  const log = byId("client-log");
  const groupForm = byId("client-group");
  const sendForm = byId("client-send");
  let client = null;

  const line = (kind, text) => {
    log.prepend(h("li", { class: "entry", dataset: { kind } }, h("time", { text: clock(Date.now()) }), h("span", { class: "text", text })));
    while (log.childElementCount > LOG_LIMIT) log.lastElementChild.remove();
  };
  const setState = (text) => (stateEl.textContent = text);
  const fail = (err) => setStatus(status, "error", err instanceof Error ? err.message : String(err));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (client) return;
    const f = form.elements;
    setStatus(status, "busy", "connecting…");
    try {
      const { WebPubSubClient } = await loadSdk();
      const body = { hub: f.hub.value.trim() };
      if (f.userId.value.trim()) body.userId = f.userId.value.trim();
      const roles = f.roles.value.split(/[\s,]+/).filter(Boolean);
      if (roles.length) body.roles = roles;
      const { url } = await postJson("/api/token", body);
      // The dashboard is plain http; so is the emulator it belongs to.
      const c = new WebPubSubClient(url, { allowInsecureConnection: location.protocol === "http:" });
      c.on("connected", (e) => {
        setState(`connected as ${e.connectionId}`);
        line("connection", `connected ${e.connectionId}${e.userId ? ` (user ${e.userId})` : ""}`);
      });
      c.on("disconnected", (e) => line("connection", `disconnected${e.code === undefined ? "" : `: close ${describeCloseCode(e.code)}`}${e.reason ? ` ${e.reason}` : ""}${e.message ? ` (${e.message})` : ""}`));
      c.on("recovering", (e) => line("connection", `recovering after close ${describeCloseCode(e.code)}`));
      c.on("recovered", (e) => line("connection", `recovered after ${e.attempts} attempt(s), ${Math.round(e.elapsedMs)} ms`));
      c.on("stopped", () => {
        line("connection", "stopped");
        if (client === c) {
          client = null;
          stopButton.disabled = true;
          setState("not connected");
        }
      });
      c.on("group-message", (e) => line("message", `group '${e.message.group}' from ${e.message.fromUserId ?? "the server"}: ${showData(e.message.data)}`));
      c.on("server-message", (e) => line("message", `server: ${showData(e.message.data)}`));
      c.on("rejoin-group-failed", (e) => line("error", `could not rejoin '${e.group}': ${e.error?.message ?? ""}`));
      client = c;
      stopButton.disabled = false;
      await c.start();
      setStatus(status, "ok", "Connected.");
    } catch (err) {
      if (client) {
        const c = client;
        client = null;
        stopButton.disabled = true;
        setState("not connected");
        void c.stop();
      }
      fail(err);
    }
  });

  stopButton.addEventListener("click", async () => {
    const c = client;
    if (!c) return;
    await c.stop();
    setStatus(status, "ok", "Disconnected.");
  });

  groupForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!client) return fail("Connect first.");
    const group = groupForm.elements.group.value.trim();
    const leave = event.submitter?.value === "leave";
    try {
      if (leave) await client.leaveGroup(group);
      else await client.joinGroup(group);
      setStatus(status, "ok", leave ? `Left '${group}'.` : `Joined '${group}'.`);
    } catch (err) {
      fail(err);
    }
  });

  sendForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!client) return fail("Connect first.");
    const f = sendForm.elements;
    const dataType = f.dataType.value;
    let content = f.data.value;
    try {
      if (dataType === "json") content = JSON.parse(content);
      if (f.to.value === "event") {
        await client.sendEvent("message", content, dataType);
        setStatus(status, "ok", "Event sent.");
      } else {
        const group = groupForm.elements.group.value.trim();
        if (!group) return fail("Name the group above.");
        await client.sendToGroup(group, content, dataType);
        setStatus(status, "ok", `Sent to '${group}'.`);
      }
    } catch (err) {
      fail(err);
    }
  });
}
