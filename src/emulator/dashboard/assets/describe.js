// Turns a traffic entry (an emulator event, JSON, with `seq`) into what the log shows:
// its kind (for the filter), hub, one readable line, and why it was refused when it was.

const CLOSE_CODES = {
  1000: "normal closure",
  1001: "going away",
  1002: "protocol error",
  1003: "unsupported data",
  1005: "no status",
  1006: "abnormal closure (no close frame)",
  1007: "invalid payload",
  1008: "policy violation",
  1009: "message too big",
  1011: "internal error",
  1012: "service restart",
  1013: "try again later",
};

/** `4001` -> `4001`, `1008` -> `1008 (policy violation)`. */
export function describeCloseCode(code) {
  const name = CLOSE_CODES[code];
  return name ? `${code} (${name})` : String(code);
}

/** `hh:mm:ss.mmm` in local time. */
export function clock(ms) {
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** The subprotocol, short. */
export function protocolName(subprotocol) {
  if (!subprotocol) return "plain";
  if (subprotocol === "json.reliable.webpubsub.azure.v1") return "reliable";
  if (subprotocol === "json.webpubsub.azure.v1") return "json";
  return subprotocol;
}

// REST paths carry the hub: /api/hubs/<hub>/...
function restHub(path) {
  const m = /^\/api\/hubs\/([^/]+)/i.exec(path ?? "");
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]).toLowerCase();
  } catch {
    return m[1].toLowerCase();
  }
}

function frameDetails(e) {
  const parts = [];
  if (e.group !== undefined) parts.push(`group '${e.group}'`);
  if (e.event !== undefined) parts.push(`event '${e.event}'`);
  if (e.ackId !== undefined) parts.push(`ackId ${e.ackId}`);
  if (e.sequenceId !== undefined) parts.push(`seq ${e.sequenceId}`);
  return parts.join(" ");
}

// What a connect handler answered: only the fields it set.
function answerText(answer) {
  if (!answer || typeof answer !== "object") return "";
  const parts = [];
  if (answer.userId !== undefined) parts.push(`user ${answer.userId ?? "anonymous"}`);
  if (answer.roles !== undefined) parts.push(`roles [${answer.roles.join(", ")}]`);
  if (answer.groups !== undefined) parts.push(`groups [${answer.groups.join(", ")}]`);
  if (answer.subprotocol !== undefined) parts.push(`subprotocol ${answer.subprotocol}`);
  return parts.length ? `; answer: ${parts.join(", ")}` : "";
}

// Keepalive and delivery bookkeeping: shown only when asked for.
const CONTROL_FRAMES = new Set(["ping", "pong", "sequenceAck"]);

/**
 * `{ kind, hub, connectionId, text, why, tone, refused, control }` for one entry. `kind` is one
 * of rest, frame, upstream, connection, log; `refused` marks what the filter "refusals" shows;
 * `control` marks pings, pongs and sequence acks.
 */
export function describeEntry(e) {
  const base = {
    kind: "log",
    hub: e.hub ?? null,
    connectionId: e.connectionId ?? null,
    why: typeof e.why === "string" ? e.why : null,
    tone: "",
    refused: false,
    control: (e.type === "frameIn" || e.type === "frameOut") && CONTROL_FRAMES.has(e.frameType),
  };
  switch (e.type) {
    case "rest": {
      const failed = e.status >= 400;
      const reason = [e.errorCode, e.reason].filter(Boolean).join(": ");
      return {
        ...base,
        kind: "rest",
        hub: restHub(e.path),
        text: `REST ${e.method} ${e.path} → ${e.status}${reason ? ` ${reason}` : ""}`,
        tone: failed ? "error" : "ok",
        refused: e.status === 401 || e.status === 403,
      };
    }
    case "frameIn": {
      const details = frameDetails(e);
      return {
        ...base,
        kind: "frame",
        text: `in  ${e.connectionId} ${e.frameType}${details ? ` ${details}` : ""} (${e.size} B)${e.error ? ` rejected: ${e.error}` : ""}`,
        tone: e.error ? "error" : "",
        refused: Boolean(e.error),
      };
    }
    case "frameOut": {
      const details = frameDetails(e);
      let result = "";
      if (e.frameType === "ack" || e.frameType === "invokeResponse" || e.success !== undefined) {
        result = e.success === false || e.error ? ` failed${e.error ? `: ${e.error.name}: ${e.error.message}` : ""}` : " ok";
      }
      const failed = e.success === false || Boolean(e.error);
      return {
        ...base,
        kind: "frame",
        text: `out ${e.connectionId} ${e.frameType}${details ? ` ${details}` : ""}${result}`,
        tone: failed ? "error" : "",
        refused: failed,
      };
    }
    case "upstream": {
      const status = e.status === undefined ? "" : ` ${e.status}`;
      const bad = e.result === "rejected" || e.result === "failed";
      return {
        ...base,
        kind: "upstream",
        text: `upstream ${e.event} for ${e.connectionId} →${status} ${e.result} in ${Math.round(e.durationMs)} ms${answerText(e.answer)}`,
        tone: bad ? "error" : e.result === "ok" ? "ok" : "",
        refused: e.result === "rejected",
      };
    }
    case "connected":
      return { ...base, kind: "connection", text: `connected ${e.connectionId} (user ${e.userId ?? "anonymous"}, ${protocolName(e.subprotocol)})`, tone: "ok" };
    case "detached":
      return { ...base, kind: "connection", text: `socket of ${e.connectionId} lost; waiting ${Math.round(e.recoveryWindowMs / 1000)} s for recovery`, tone: "warn" };
    case "recovered":
      return { ...base, kind: "connection", text: `recovered ${e.connectionId}`, tone: "ok" };
    case "disconnected":
      return {
        ...base,
        kind: "connection",
        text: `disconnected ${e.connectionId}: ${e.reason}${e.closeCode === undefined ? "" : ` (close ${describeCloseCode(e.closeCode)})`}`,
        tone: "warn",
      };
    case "handshakeRefused":
      return { ...base, kind: "connection", text: `handshake refused with ${e.status}: ${e.reason}`, tone: "error", refused: true };
    case "dropped":
      return { ...base, kind: "log", text: `${e.count} frame events not shown (sampled under load)`, tone: "warn" };
    case "listening":
      return { ...base, kind: "log", text: `listening on ${e.endpoint}` };
    case "log":
      return { ...base, kind: "log", text: e.message, tone: e.level === "warn" ? "warn" : "" };
    default:
      return { ...base, kind: "log", text: `${e.type}: ${JSON.stringify(e)}` };
  }
}
