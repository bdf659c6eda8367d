// One message on its way to clients. Each wire form is built at most once, by the protocol
// core's codecs, and shared by every recipient: fan-out costs one serialization, not one per socket.
import { JsonText, mediaTypeOf, prepareMessageFrame, type PreparedMessageFrame, type WebPubSubDataType } from "../../core/index.js";

/** How the payload is typed on the JSON protocols. */
export type DataType = WebPubSubDataType;

/** A payload: `json` holds JSON text that is known to be valid. */
export interface Payload {
  dataType: DataType;
  /** UTF-8 text for text/json, raw bytes for binary. */
  data: Buffer;
  /** For json: the same text, already known to be valid (it came from JSON.stringify), so not parsed again. */
  json?: JsonText;
}

/** Who the message comes from, as the JSON protocols show it. */
export type MessageSource = { from: "server" } | { from: "group"; group: string; fromUserId: string | null };

/** A message to deliver, with lazily built wire forms. */
export class OutboundMessage {
  readonly payload: Payload;
  readonly source: MessageSource;
  private preparedCache: PreparedMessageFrame | undefined;
  private rawCache: string | Buffer | undefined;

  constructor(payload: Payload, source: MessageSource) {
    this.payload = payload;
    this.source = source;
  }

  /** The JSON-protocol frame, encoded once; reliable connections number it per recipient. */
  get frame(): PreparedMessageFrame {
    this.preparedCache ??= prepareMessageFrame(
      this.source.from === "server"
        ? { type: "message", from: "server", dataType: this.payload.dataType, data: wireData(this.payload) }
        : {
            type: "message",
            from: "group",
            group: this.source.group,
            fromUserId: this.source.fromUserId,
            dataType: this.payload.dataType,
            data: wireData(this.payload),
          },
    );
    return this.preparedCache;
  }

  /** What a plain WebSocket client gets: text and JSON as text, binary as binary. */
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

// Node's base64 is much faster than the portable one for large payloads; JSON goes in as is.
function wireData(p: Payload): unknown {
  switch (p.dataType) {
    case "binary":
      return p.data.toString("base64");
    case "text":
      return p.data.toString("utf8");
    case "json": {
      if (p.json) return p.json;
      const text = p.data.toString("utf8");
      // Callers check the JSON first; a wrong guess still yields a valid frame, as text.
      return JsonText.from(text) ?? text;
    }
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
  return JsonText.from(text) !== undefined;
}
