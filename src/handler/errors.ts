// The JSON error bodies the handler answers bad requests with: `{ "code", "message" }`.
import type { EventOutput, Outcome } from "./exchange.js";

/** Stable codes of the handler's 4xx/5xx JSON answers. Tabled in the README. */
export type EventErrorCode =
  /** The path is not the handler's path (404). */
  | "WPS_ERR_EVENT_PATH"
  /** The method is neither OPTIONS nor POST (405). */
  | "WPS_ERR_EVENT_METHOD"
  /** `ce-awpsversion` or `WebHook-Request-Origin` is missing: not a Web PubSub request (400). */
  | "WPS_ERR_EVENT_NOT_CLOUDEVENT"
  /** `ce-type` is not a Web PubSub event this handler knows (400). */
  | "WPS_ERR_EVENT_TYPE"
  /** `ce-hub` names another hub (400). */
  | "WPS_ERR_EVENT_HUB"
  /** `WebHook-Request-Origin` is not one of `allowedEndpoints` (400). */
  | "WPS_ERR_EVENT_ORIGIN"
  /** `ce-signature` is missing or matches none of the access keys (401). */
  | "WPS_ERR_EVENT_SIGNATURE"
  /** A required header is missing or malformed, e.g. `ce-connectionId`, `ce-connectionState` (400). */
  | "WPS_ERR_EVENT_HEADER"
  /** The body is not what the event needs: invalid JSON, wrong shape, undecodable text (400). */
  | "WPS_ERR_EVENT_BODY"
  /** The body is larger than `maxBodyBytes` (413). */
  | "WPS_ERR_EVENT_TOO_LARGE"
  /** A user event with a content type other than text, JSON or binary (415). */
  | "WPS_ERR_EVENT_CONTENT_TYPE"
  /** A callback threw, rejected, or settled without answering (500). */
  | "WPS_ERR_EVENT_HANDLER";

/** The JSON body of an error answer. */
export interface EventErrorBody {
  /** Stable code. */
  code: EventErrorCode;
  /** What was wrong, for people; never holds a key or signature. */
  message: string;
}

const JSON_TYPE = "application/json; charset=utf-8";

/** An error answer with a JSON body. */
export function errorOutput(status: number, code: EventErrorCode, message: string, headers?: Record<string, string>): EventOutput {
  const body: EventErrorBody = { code, message };
  return { status, headers: { "Content-Type": JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/** The request is this handler's, and it is refused. */
export function refuse(status: number, code: EventErrorCode, message: string): Outcome {
  return { handled: true, output: errorOutput(status, code, message) };
}

/** The request is not this handler's; the core answers with this 4xx, Express calls next(). */
export function notMine(status: number, code: EventErrorCode, message: string, headers?: Record<string, string>): Outcome {
  return { handled: false, output: errorOutput(status, code, message, headers) };
}
