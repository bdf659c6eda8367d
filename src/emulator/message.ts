import { mediaTypeOf } from "../core/index.js";

// One message on its way to clients. Each wire form is built at most once and
// shared by every recipient, so fan-out costs one serialization, not one per socket.

/** How the payload is typed on the JSON protocols. */
export type DataType = "text" | "json" | "binary";

/** A payload: `json` holds JSON text that is known to be valid. */
export interface Payload {
  dataType: DataType;
  /** UTF-8 text for text/json, raw bytes for binary. */
  data: Buffer;
}

/** Who the message comes from, as the JSON protocols show it. */
export type MessageSource = { from: "server" } | { from: "group"; group: string; fromUserId: string | null };

/** A message to deliver, with lazily built wire forms. */
export class OutboundMessage {
  readonly payload: Payload;
  readonly source: MessageSource;
  private jsonTailCache: string | undefined;
  private rawCache: string | Buffer | undefined;

  constructor(payload: Payload, source: MessageSource) {
    this.payload = payload;
    this.source = source;
  }

  /**
   * The JSON frame without its opening brace, so reliable connections can put their own
   * `"sequenceId":n,` in front without serializing the payload again.
   */
  get jsonTail(): string {
    if (this.jsonTailCache === undefined) {
      const s = this.source;
      const head =
        s.from === "server"
          ? `"type":"message","from":"server"`
          : `"type":"message","from":"group","group":${JSON.stringify(s.group)},"fromUserId":${JSON.stringify(s.fromUserId)}`;
      this.jsonTailCache = `${head},"dataType":"${this.payload.dataType}","data":${encodeData(this.payload)}}`;
    }
    return this.jsonTailCache;
  }

  /** What a simple (raw) WebSocket client gets: text and JSON as text, binary as binary. */
  get raw(): string | Buffer {
    if (this.rawCache === undefined) {
      this.rawCache = this.payload.dataType === "binary" ? this.payload.data : this.payload.data.toString("utf8");
    }
    return this.rawCache;
  }

  /** The size used for buffer accounting. */
  get byteLength(): number {
    return this.payload.data.byteLength;
  }
}

function encodeData(p: Payload): string {
  switch (p.dataType) {
    case "binary":
      return `"${p.data.toString("base64")}"`;
    case "text":
      return JSON.stringify(p.data.toString("utf8"));
    case "json":
      // Validated JSON text is embedded as is; trimming keeps the frame compact.
      return p.data.toString("utf8").trim();
  }
}

/** Maps a Content-Type (REST body or upstream reply) to a data type; undefined if unsupported. */
export function dataTypeOfContentType(contentType: string | undefined): DataType | undefined {
  if (contentType === undefined || contentType.trim() === "") return "binary";
  const media = mediaTypeOf(contentType);
  if (media === "text/plain") return "text";
  if (media === "application/json") return "json";
  if (media === "application/octet-stream") return "binary";
  return undefined;
}

/** True when `text` parses as JSON. */
export function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
