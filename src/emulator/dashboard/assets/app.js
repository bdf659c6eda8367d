// The emulator dashboard: renders the server-sent event stream of /_dashboard/api/events and
// drives the emulator through the POST actions of contract D. No framework, no build step.
// Updates are coalesced into one animation frame; the connections table draws only the rows in view.
import { ApiError, BASE, getJson, onUnauthorized, postJson } from "./api.js";
import { clock, describeCloseCode, describeEntry, protocolName } from "./describe.js";
import { byId, h, setStatus, setText } from "./dom.js";
import { Store, TRAFFIC_LIMIT } from "./store.js";
import { setupTestClient } from "./testClient.js";

/** Rows drawn above and below the visible part of the connections table (smooth scrolling). */
const OVERSCAN_ROWS = 10;
/** Fresh snapshots at most this often, however many events ask for one. */
const REFRESH_MIN_MS = 500;
/** A connection's timeline is fetched again at most this often while it is open. */
const DETAIL_MIN_MS = 300;
/** Traffic lines in the page at most (the store keeps TRAFFIC_LIMIT for filters to search). */
const LOG_ROWS = 200;
/** New traffic lines are drawn at most this often: a busy log stays readable and cheap. */
const LOG_EVERY_MS = 250;

const store = new Store();
const ui = {
  selectedHub: "",
  selected: null, // { hub, connectionId }
  detail: null, // the last GET /api/connections answer
  paused: false,
  pausedCount: 0,
};

// ---------- rendering, coalesced into animation frames ----------

const dirty = new Set();
let pendingTraffic = [];
let trafficOverflow = false;
let frame = 0;

function invalidate(...parts) {
  for (const p of parts) dirty.add(p);
  if (!frame) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  const parts = new Set(dirty);
  dirty.clear();
  if (parts.has("header")) renderHeader();
  if (parts.has("hubs")) renderHubs();
  if (parts.has("groups")) renderGroups();
  if (parts.has("connections")) renderConnections();
  if (parts.has("detail")) renderDetail();
  if (parts.has("traffic")) {
    renderTrafficAll();
    logDrawn = performance.now();
  } else if (pendingTraffic.length) {
    const wait = logDrawn + LOG_EVERY_MS - performance.now();
    if (wait > 0) {
      // Too soon: keep the lines for a later frame.
      logTimer ||= setTimeout(() => {
        logTimer = 0;
        invalidate();
      }, wait);
      return;
    }
    renderTrafficAppend();
    logDrawn = performance.now();
  }
  pendingTraffic = [];
  trafficOverflow = false;
}

let logDrawn = 0;
let logTimer = 0;

const $ = {
  endpoint: byId("endpoint"),
  version: byId("version"),
  live: byId("live"),
  hubs: byId("hubs"),
  hubsEmpty: byId("hubs-empty"),
  groups: byId("groups"),
  groupsHub: byId("groups-hub"),
  groupsEmpty: byId("groups-empty"),
  connHub: byId("conn-hub"),
  connFilter: byId("conn-filter"),
  connClosed: byId("conn-closed"),
  connCount: byId("conn-count"),
  connMore: byId("conn-more"),
  connTable: byId("connections"),
  connBody: byId("connections").tBodies[0],
  connScroll: byId("connections").parentElement,
  traffic: byId("traffic"),
  trafficHub: byId("traffic-hub"),
  trafficKind: byId("traffic-kind"),
  trafficControl: byId("traffic-control"),
  trafficPause: byId("traffic-pause"),
  trafficClear: byId("traffic-clear"),
  trafficNote: byId("traffic-note"),
  hubNames: byId("hub-names"),
  detail: byId("detail"),
  detailEmpty: byId("detail-empty"),
  detailTitle: byId("detail-title"),
  detailFacts: byId("detail-facts"),
  detailWhy: byId("detail-why"),
  detailClaims: byId("detail-claims"),
  detailTruncated: byId("detail-truncated"),
  detailStatus: byId("detail-status"),
  timeline: byId("timeline"),
  login: byId("login"),
  loginForm: byId("login-form"),
};

function setLive(state, text) {
  $.live.dataset.state = state;
  $.live.textContent = text;
}

function renderHeader() {
  setText($.endpoint, store.endpoint);
  setText($.version, store.version ? `v${store.version}` : "");
}

function hubNames() {
  return [...store.hubs.keys()].sort();
}

/** Keeps a <select> of hubs (plus its first "all hubs" option) in step with the store. */
function syncHubSelect(select, names) {
  const current = [...select.options].slice(1).map((o) => o.value);
  if (current.join("\u0000") === names.join("\u0000")) return;
  const value = select.value;
  while (select.options.length > 1) select.remove(1);
  for (const name of names) select.append(h("option", { value: name, text: name }));
  select.value = names.includes(value) ? value : "";
}

function renderHubs() {
  const names = hubNames();
  if (!ui.selectedHub && names.length) selectHub(names[0], false);
  $.hubsEmpty.hidden = names.length > 0;
  const items = names.map((name) => {
    const hub = store.hubs.get(name);
    let open = 0;
    for (const c of hub.connections.values()) if (c.state !== "closed") open++;
    const fault = hub.upstream.fault;
    // An armed fault shows even without a handler: it waits for one (e.g. a config reload).
    const upstream = fault
      ? `handler: ${fault.mode} next ${fault.remaining}${fault.mode === "fail" && fault.status ? ` (${fault.status})` : ""}${fault.mode === "slow" && fault.delayMs ? ` (${fault.delayMs} ms)` : ""}`
      : hub.upstream.configured
        ? "event handler configured"
        : "no event handler";
    return h(
      "li",
      { class: name === ui.selectedHub ? "hub selected" : "hub", dataset: { hub: name }, tabindex: "0" },
      h("strong", { text: name }),
      h("span", { class: "muted small", text: ` ${open} open · ${hub.groups.size} groups` }),
      h("div", { class: fault ? "small warn" : "small muted", text: upstream }),
    );
  });
  $.hubs.replaceChildren(...items);
  syncHubSelect($.connHub, names);
  syncHubSelect($.trafficHub, names);
  $.hubNames.replaceChildren(...names.map((name) => h("option", { value: name })));
}

function selectHub(name, render = true) {
  ui.selectedHub = name;
  for (const input of document.querySelectorAll("input[list=hub-names]")) if (!input.value || input.dataset.auto === "1") {
    input.value = name;
    input.dataset.auto = "1";
  }
  if (render) invalidate("hubs", "groups");
}

function renderGroups() {
  const hub = store.hubs.get(ui.selectedHub);
  setText($.groupsHub, hub ? `in ${hub.name}` : "");
  const groups = hub ? [...hub.groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  $.groupsEmpty.hidden = groups.length > 0;
  $.groups.replaceChildren(
    ...groups.slice(0, 200).map(([name, members]) =>
      h(
        "li",
        { class: "group" },
        h("strong", { text: name }),
        h("span", { class: "muted small", text: ` ${members.length} member${members.length === 1 ? "" : "s"}` }),
        h(
          "div",
          { class: "members" },
          members.slice(0, 12).map((id) => h("button", { type: "button", class: "chip", dataset: { hub: hub.name, connectionId: id }, title: id, text: shortId(id) })),
          members.length > 12 ? h("span", { class: "muted small", text: ` +${members.length - 12} more` }) : null,
        ),
      ),
    ),
  );
}

function shortId(id) {
  return id.length > 14 ? `${id.slice(0, 12)}…` : id;
}

// ---------- connections table (keyed rows, bounded) ----------

const rows = new Map(); // key -> { tr, cells, selected }
const STATE_ORDER = { open: 0, detached: 1, closed: 2 };

function matches(c, text) {
  return (
    c.connectionId.toLowerCase().includes(text) ||
    (c.userId ?? "").toLowerCase().includes(text) ||
    c.groups.some((g) => g.toLowerCase().includes(text)) ||
    c.roles.some((r) => r.toLowerCase().includes(text))
  );
}

function makeRow(key) {
  const cells = Array.from({ length: 10 }, () => h("td"));
  cells[1].className = "mono";
  cells[7].className = "num";
  cells[8].className = "num";
  const tr = h("tr", { tabindex: "0" }, cells);
  return { key, tr, cells };
}

// The table draws only the rows in view: with 1,000 connections, laying out and painting every
// row made each keystroke in the filter cost a frame or more. Spacer rows stand in for the rest,
// so the scrollbar stays true; every row has the same height (CSS), measured once.
const topSpacer = h("tr", { class: "spacer", "aria-hidden": "true" }, h("td", { colspan: "10" }));
const bottomSpacer = h("tr", { class: "spacer", "aria-hidden": "true" }, h("td", { colspan: "10" }));
let rowHeight = 0;

function renderConnections() {
  const text = $.connFilter.value.trim().toLowerCase();
  let list = store.connections($.connHub.value);
  const live = list.filter((c) => c.state !== "closed").length;
  if (!$.connClosed.checked) list = list.filter((c) => c.state !== "closed");
  if (text) list = list.filter((c) => matches(c, text));
  list.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.connectedAt - a.connectedAt);
  // One hub in view: its name in every row is noise, and the width goes to roles and groups.
  const oneHub = $.connHub.value !== "" || store.hubs.size <= 1;
  $.connTable.classList.toggle("one-hub", oneHub);
  // A spacer spans exactly the shown columns, or the fixed table layout grows a phantom one.
  const span = oneHub ? "9" : "10";
  for (const spacer of [topSpacer, bottomSpacer]) if (spacer.firstChild.getAttribute("colspan") !== span) spacer.firstChild.setAttribute("colspan", span);
  setText($.connCount, `${live} open`);
  setText($.connMore, list.length === 0 ? "No connections." : text ? `${list.length} match${list.length === 1 ? "es" : ""}.` : "");

  const scroller = $.connScroll;
  const head = $.connTable.tHead.getBoundingClientRect().height;
  const step = rowHeight || 25;
  const visible = Math.ceil(scroller.clientHeight / step);
  const first = Math.max(0, Math.min(list.length - visible, Math.floor((scroller.scrollTop - head) / step)) - OVERSCAN_ROWS);
  const last = Math.min(list.length, first + visible + 2 * OVERSCAN_ROWS);
  const shown = list.slice(first, last);

  const body = $.connBody;
  if (body.firstChild !== topSpacer) body.prepend(topSpacer);
  topSpacer.firstChild.style.height = `${first * step}px`;
  const wanted = new Set();
  let prev = topSpacer;
  for (const c of shown) {
    const key = `${c.hub}\u0000${c.connectionId}`;
    wanted.add(key);
    let row = rows.get(key);
    if (!row) {
      row = makeRow(key);
      rows.set(key, row);
    }
    updateRow(row, c);
    if (prev.nextSibling !== row.tr) body.insertBefore(row.tr, prev.nextSibling);
    prev = row.tr;
  }
  for (const [key, row] of rows) {
    if (wanted.has(key)) continue;
    row.tr.remove();
    rows.delete(key);
  }
  if (prev.nextSibling !== bottomSpacer) body.insertBefore(bottomSpacer, prev.nextSibling);
  bottomSpacer.firstChild.style.height = `${(list.length - last) * step}px`;
  if (!rowHeight && shown.length) rowHeight = rows.get(`${shown[0].hub}\u0000${shown[0].connectionId}`).tr.getBoundingClientRect().height || 0;
}

// One formatter for every row: toLocaleString() builds a new one per call.
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });

// Fields a row shows; a row whose fields are unchanged is not touched.
const ROW_FIELDS = ["hub", "connectionId", "userId", "subprotocol", "state", "connectedAt", "messagesIn", "messagesOut", "closeCode"];

function updateRow(row, c) {
  const selected = ui.selected?.hub === c.hub && ui.selected?.connectionId === c.connectionId;
  if (row.selected !== selected) {
    row.selected = selected;
    row.tr.classList.toggle("selected", selected);
  }
  const last = row.last;
  if (last && ROW_FIELDS.every((f) => last[f] === c[f]) && last.groups === c.groups.join(", ") && last.roles === c.roles.join(", ")) return;
  row.last = { ...c, groups: c.groups.join(", "), roles: c.roles.join(", ") };
  const [hub, id, user, proto, groups, roles, since, inCount, outCount, state] = row.cells;
  row.tr.dataset.hub = c.hub;
  row.tr.dataset.connectionId = c.connectionId;
  row.tr.dataset.state = c.state;
  setText(hub, c.hub);
  setText(id, c.connectionId);
  id.title = c.connectionId;
  setText(user, c.userId ?? "—");
  setText(proto, protocolName(c.subprotocol));
  setText(groups, row.last.groups);
  groups.title = row.last.groups;
  setText(roles, row.last.roles);
  roles.title = row.last.roles;
  if (!last || last.connectedAt !== c.connectedAt) {
    setText(since, clock(c.connectedAt).slice(0, 8));
    since.title = DATE_TIME.format(c.connectedAt);
  }
  setText(inCount, c.messagesIn);
  setText(outCount, c.messagesOut);
  setText(state, c.state === "closed" && c.closeCode !== undefined ? `closed ${c.closeCode}` : c.state);
}

// ---------- traffic log ----------

function trafficVisible(d) {
  const hub = $.trafficHub.value;
  const kind = $.trafficKind.value;
  if (hub && d.hub !== hub) return false;
  if (d.control && !$.trafficControl.checked) return false;
  if (!kind) return true;
  if (kind === "refused") return d.refused;
  return d.kind === kind;
}

function entryItem(e, d) {
  const li = h(
    "li",
    { class: "entry", dataset: { kind: d.kind, tone: d.tone || "none", seq: String(e.seq ?? "") } },
    h("time", { text: clock(e.time) }),
    d.hub ? h("span", { class: "tag", text: d.hub }) : null,
    h("span", { class: "text", text: d.text }),
    d.why ? h("div", { class: "why", text: `Why refused: ${d.why}` }) : null,
  );
  if (d.hub && d.connectionId) {
    li.dataset.hub = d.hub;
    li.dataset.connectionId = d.connectionId;
    li.classList.add("linked");
  }
  return li;
}

function renderTrafficAll() {
  const items = [];
  for (let i = store.traffic.length - 1; i >= 0 && items.length < LOG_ROWS; i--) {
    const e = store.traffic[i];
    const d = describeEntry(e);
    if (trafficVisible(d)) items.push(entryItem(e, d));
  }
  $.traffic.replaceChildren(...items);
  renderTrafficNote();
}

function renderTrafficAppend() {
  if (ui.paused) return renderTrafficNote();
  if (trafficOverflow) return renderTrafficAll();
  const items = [];
  // Only the newest LOG_ROWS can show.
  for (const e of pendingTraffic.slice(-LOG_ROWS)) {
    const d = describeEntry(e);
    if (trafficVisible(d)) items.push(entryItem(e, d));
  }
  // Newest first; the oldest lines go in one range removal, not one by one.
  items.reverse();
  const list = $.traffic;
  const excess = list.childElementCount + items.length - LOG_ROWS;
  if (excess >= list.childElementCount) list.replaceChildren(...items);
  else {
    if (excess > 0) {
      const range = document.createRange();
      range.setStartBefore(list.children[list.childElementCount - excess]);
      range.setEndAfter(list.lastElementChild);
      range.deleteContents();
    }
    list.prepend(...items);
  }
}

function renderTrafficNote() {
  setText($.trafficNote, ui.paused ? `paused; ${ui.pausedCount} new` : "");
}

function queueTraffic(entries) {
  if (ui.paused) ui.pausedCount += entries.length;
  pendingTraffic.push(...entries);
  // A hidden tab gets no frames: keep at most one log's worth, then redraw from the store.
  if (pendingTraffic.length > TRAFFIC_LIMIT) {
    pendingTraffic = [];
    trafficOverflow = true;
  }
  invalidate();
}

$.trafficPause.addEventListener("click", () => {
  ui.paused = !ui.paused;
  ui.pausedCount = 0;
  $.trafficPause.textContent = ui.paused ? "Resume" : "Pause";
  $.trafficPause.setAttribute("aria-pressed", String(ui.paused));
  invalidate("traffic");
});
$.trafficClear.addEventListener("click", () => {
  store.traffic = [];
  invalidate("traffic");
});
$.trafficHub.addEventListener("change", () => invalidate("traffic"));
$.trafficKind.addEventListener("change", () => invalidate("traffic"));
$.trafficControl.addEventListener("change", () => invalidate("traffic"));
$.connHub.addEventListener("change", () => invalidate("connections"));
$.connFilter.addEventListener("input", () => invalidate("connections"));
$.connClosed.addEventListener("change", () => invalidate("connections"));
$.connScroll.addEventListener("scroll", () => invalidate("connections"), { passive: true });
new ResizeObserver(() => invalidate("connections")).observe($.connScroll);

// ---------- a connection's timeline ----------

function selectConnection(hub, connectionId) {
  ui.selected = { hub, connectionId };
  ui.detail = null;
  setStatus($.detailStatus, "", "");
  showTab("connection");
  invalidate("connections", "detail");
  void loadDetail();
}

let detailLoading = false;
let detailAgain = false;
let detailTimer = 0;
let detailLast = 0;

async function loadDetail() {
  if (!ui.selected) return;
  if (detailLoading) {
    detailAgain = true;
    return;
  }
  detailLoading = true;
  const wanted = ui.selected;
  try {
    const answer = await getJson(`/api/connections/${encodeURIComponent(wanted.hub)}/${encodeURIComponent(wanted.connectionId)}`);
    if (ui.selected === wanted) ui.detail = answer;
  } catch (err) {
    if (ui.selected === wanted) ui.detail = { error: err instanceof Error ? err.message : String(err) };
  } finally {
    detailLoading = false;
    detailLast = Date.now();
    invalidate("detail");
    if (detailAgain) {
      detailAgain = false;
      scheduleDetail();
    }
  }
}

function scheduleDetail() {
  if (detailTimer) return;
  const wait = Math.max(0, detailLast + DETAIL_MIN_MS - Date.now());
  detailTimer = setTimeout(() => {
    detailTimer = 0;
    void loadDetail();
  }, wait);
}

function fact(name, value, cls) {
  return [h("dt", { text: name }), h("dd", { class: cls, text: value })];
}

function timeFact(seconds) {
  return seconds === undefined ? undefined : `${new Date(seconds * 1000).toLocaleString()} (${seconds})`;
}

function renderDetail() {
  const sel = ui.selected;
  $.detailEmpty.hidden = sel !== null;
  $.detail.hidden = sel === null;
  if (!sel) return;
  setText($.detailTitle, `${sel.hub} / ${sel.connectionId}`);
  const d = ui.detail;
  if (!d) {
    // Another connection's story must not stay under this one's title.
    $.detailFacts.replaceChildren(...fact("", "loading…"));
    $.detailClaims.replaceChildren();
    $.timeline.replaceChildren();
    $.detailWhy.hidden = true;
    return;
  }
  if (d.error) {
    $.detailFacts.replaceChildren(...fact("Error", d.error, "bad"));
    $.detailClaims.replaceChildren();
    $.timeline.replaceChildren();
    $.detailWhy.hidden = true;
    return;
  }
  const c = d.connection;
  // The counts move with the `counters` events between two fetches of the timeline.
  const live = store.hubs.get(sel.hub)?.connections.get(sel.connectionId);
  const closed = c.state === "closed";
  const closeText = closed
    ? `closed${c.closeCode === undefined ? "" : ` with ${describeCloseCode(c.closeCode)}`}${c.closeReason ? `: ${c.closeReason}` : ""}`
    : c.state;
  $.detailFacts.replaceChildren(
    ...fact("User", c.userId ?? "anonymous"),
    ...fact("Protocol", c.subprotocol ?? "plain WebSocket"),
    ...fact("State", closeText, closed ? "bad state" : "state"),
    ...fact("Connected", new Date(c.connectedAt).toLocaleString()),
    ...fact("Messages", `${live?.messagesIn ?? c.messagesIn} in, ${live?.messagesOut ?? c.messagesOut} out`),
    ...fact("Roles", c.roles.length ? c.roles.join(", ") : "none"),
    ...fact("Groups", c.groups.length ? c.groups.join(", ") : "none"),
  );
  const claims = d.claims;
  if (!claims) $.detailClaims.replaceChildren(...fact("", "no token claims recorded"));
  else
    $.detailClaims.replaceChildren(
      ...fact("aud", claims.aud),
      ...(claims.sub === undefined ? [] : fact("sub", claims.sub)),
      ...(claims.role === undefined ? [] : fact("role", claims.role.join(", "))),
      ...(claims.group === undefined ? [] : fact("group", claims.group.join(", "))),
      ...(claims.iat === undefined ? [] : fact("iat", timeFact(claims.iat))),
      ...(claims.nbf === undefined ? [] : fact("nbf", timeFact(claims.nbf))),
      ...(claims.exp === undefined ? [] : fact("exp", timeFact(claims.exp))),
    );
  const timeline = d.timeline ?? [];
  setText($.detailTruncated, d.truncated ? `(${d.truncated} older entries dropped)` : "");
  let lastWhy = null;
  $.timeline.replaceChildren(
    ...timeline.map((e) => {
      const desc = describeEntry(e);
      if (desc.why) lastWhy = desc.why;
      return entryItem(e, { ...desc, hub: null, connectionId: null });
    }),
  );
  $.detailWhy.hidden = lastWhy === null;
  if (lastWhy !== null) $.detailWhy.textContent = `Why refused: ${lastWhy}`;
  for (const button of $.detail.querySelectorAll("form button, #detail-drop")) button.disabled = closed;
}

function onRowActivate(event) {
  const target = event.target.closest("[data-connection-id]");
  if (!target || !target.dataset.hub) return;
  selectConnection(target.dataset.hub, target.dataset.connectionId);
}
for (const el of [$.connBody, $.traffic, $.groups]) {
  el.addEventListener("click", onRowActivate);
  el.addEventListener("keydown", (e) => e.key === "Enter" && onRowActivate(e));
}
function onHubActivate(event) {
  const li = event.target.closest("[data-hub]");
  if (!li) return;
  for (const input of document.querySelectorAll("input[list=hub-names]")) input.dataset.auto = "1";
  selectHub(li.dataset.hub);
  $.connHub.value = li.dataset.hub;
  invalidate("connections");
}
$.hubs.addEventListener("click", onHubActivate);
$.hubs.addEventListener("keydown", (e) => e.key === "Enter" && onHubActivate(e));
for (const input of document.querySelectorAll("input[list=hub-names]")) input.addEventListener("input", () => (input.dataset.auto = "0"));

// ---------- actions ----------

/** Posts an action, showing "ok" or the server's error message under the form. */
async function act(statusEl, path, body, okText) {
  setStatus(statusEl, "busy", "…");
  try {
    await postJson(path, body);
    setStatus(statusEl, "ok", okText);
    return true;
  } catch (err) {
    setStatus(statusEl, "error", err instanceof ApiError ? `${err.message} (${err.status} ${err.code})` : `Failed: ${err.message}`);
    return false;
  }
}

byId("detail-group").addEventListener("submit", async (event) => {
  event.preventDefault();
  const sel = ui.selected;
  if (!sel) return;
  const op = event.submitter?.value === "remove" ? "remove" : "add";
  const group = event.target.elements.group.value.trim();
  await act($.detailStatus, "/api/actions/group", { hub: sel.hub, connectionId: sel.connectionId, group, op }, op === "add" ? `Added to '${group}'.` : `Removed from '${group}'.`);
  scheduleRefresh();
  scheduleDetail();
});

byId("detail-close").addEventListener("submit", async (event) => {
  event.preventDefault();
  const sel = ui.selected;
  if (!sel) return;
  const form = event.target.elements;
  const body = { hub: sel.hub, connectionId: sel.connectionId };
  if (form.code.value !== "") body.code = Number(form.code.value);
  if (form.reason.value) body.reason = form.reason.value;
  await act($.detailStatus, "/api/actions/close", body, `Close ${body.code ?? 1000} sent.`);
  scheduleDetail();
});

byId("detail-drop").addEventListener("click", async () => {
  const sel = ui.selected;
  if (!sel) return;
  await act($.detailStatus, "/api/actions/drop", { hub: sel.hub, connectionId: sel.connectionId }, "TCP socket destroyed (no close frame).");
  scheduleDetail();
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

byId("send-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target.elements;
  const status = event.target.querySelector(".status");
  const kind = form.kind.value;
  const name = form.target.value.trim();
  if (kind !== "all" && !name) return setStatus(status, "error", `Name the ${kind} to send to.`);
  const target = kind === "all" ? { kind } : kind === "group" ? { kind, name } : { kind, id: name };
  const contentType = form.contentType.value;
  const data = form.data.value;
  if (contentType === "application/json") {
    try {
      JSON.parse(data);
    } catch (err) {
      return setStatus(status, "error", `Not JSON: ${err.message}`);
    }
  }
  if (contentType === "application/octet-stream" && (data.replace(/\s+/g, "").length % 4 !== 0 || !BASE64.test(data.replace(/\s+/g, "")))) {
    return setStatus(status, "error", "Binary data is given as base64 (e.g. AQID for the bytes 1, 2, 3).");
  }
  const body = { hub: form.hub.value.trim(), target, contentType, data: contentType === "application/octet-stream" ? data.replace(/\s+/g, "") : data };
  await act(status, "/api/actions/send", body, `Sent to ${kind === "all" ? "all" : `${kind} '${name}'`}.`);
});

byId("fault-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target.elements;
  const status = event.target.querySelector(".status");
  const mode = form.mode.value;
  const body = { hub: form.hub.value.trim(), mode, count: Number(form.count.value || 0) };
  if (mode === "slow") body.delayMs = Number(form.delayMs.value || 0);
  if (mode === "fail") body.status = Number(form.status.value || 500);
  const done =
    mode === "none" ? "Fault cleared." : mode === "slow" ? `The next ${body.count} calls wait ${body.delayMs} ms.` : `The next ${body.count} calls fail with ${body.status}.`;
  if (await act(status, "/api/actions/upstream-fault", body, done)) scheduleRefresh();
});

// ---------- tabs ----------

function showTab(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll(".tab-panel")) panel.hidden = panel.id !== `tab-${name}`;
}
for (const tab of document.querySelectorAll("[role=tab]")) tab.addEventListener("click", () => showTab(tab.dataset.tab));

// ---------- snapshots ----------

let refreshing = false;
let refreshAgain = false;
let refreshTimer = 0;
let refreshLast = 0;

/** Asks for a fresh snapshot soon: at most one in flight, at most one per REFRESH_MIN_MS. */
function scheduleRefresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  if (refreshTimer) return;
  const wait = Math.max(0, refreshLast + REFRESH_MIN_MS - Date.now());
  refreshTimer = setTimeout(async () => {
    refreshTimer = 0;
    refreshing = true;
    try {
      store.load(await getJson("/api/state"), false);
      invalidate("header", "hubs", "groups", "connections");
    } catch {
      // The stream's own error handling reports a dead emulator.
    } finally {
      refreshing = false;
      refreshLast = Date.now();
      if (refreshAgain) {
        refreshAgain = false;
        scheduleRefresh();
      }
    }
  }, wait);
}

// ---------- the event stream ----------

let stream = null;
let retryDelay = 500;

// Events that change the hubs, groups or connections tables.
const STRUCTURAL = new Set(["connected", "detached", "recovered", "disconnected"]);

function touchesSelected(entries) {
  const sel = ui.selected;
  return sel !== null && entries.some((e) => e.connectionId === sel.connectionId && e.hub === sel.hub);
}

function openStream() {
  stream?.close();
  const es = new EventSource(`${BASE}/api/events`);
  stream = es;
  setLive("connecting", "connecting…");
  es.addEventListener("snapshot", (ev) => {
    store.load(JSON.parse(ev.data), true);
    retryDelay = 500;
    setLive("live", "live");
    pendingTraffic = [];
    invalidate("header", "hubs", "groups", "connections", "traffic");
    if (ui.selected) scheduleDetail();
  });
  es.addEventListener("events", (ev) => {
    const { fresh, refresh } = store.apply(JSON.parse(ev.data));
    if (!fresh.length) return;
    queueTraffic(fresh);
    if (refresh) scheduleRefresh();
    if (touchesSelected(fresh)) scheduleDetail();
    // Frames and REST calls change no table (their counts come as `counters`).
    if (fresh.some((e) => STRUCTURAL.has(e.type))) invalidate("hubs", "groups", "connections");
  });
  es.addEventListener("counters", (ev) => {
    const list = JSON.parse(ev.data);
    store.applyCounters(list);
    invalidate("connections");
    if (touchesSelected(list)) invalidate("detail");
  });
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CONNECTING) return setLive("reconnecting", "reconnecting…");
    // Closed for good (an HTTP error, e.g. 401): find out why before trying again.
    es.close();
    if (stream === es) stream = null;
    setLive("offline", "disconnected");
    setTimeout(() => void start(), retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5000);
  });
}

async function start() {
  try {
    store.load(await getJson("/api/state"), true);
    invalidate("header", "hubs", "groups", "connections", "traffic");
    openStream();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return; // the login form is up
    setLive("offline", `offline: ${err.message}`);
    setTimeout(() => void start(), retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5000);
  }
}

// ---------- login (the emulator is bound off loopback) ----------

onUnauthorized(() => {
  stream?.close();
  stream = null;
  setLive("offline", "sign in");
  $.login.hidden = false;
  $.loginForm.elements.accessKey.focus();
});

$.loginForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $.loginForm.elements.accessKey;
  const status = $.loginForm.querySelector(".status");
  try {
    await postJson("/api/login", { accessKey: input.value });
    input.value = "";
    setStatus(status, "", "");
    $.login.hidden = true;
    retryDelay = 500;
    void start();
  } catch (err) {
    setStatus(status, "error", err.message);
  }
});

setupTestClient();
void start();
