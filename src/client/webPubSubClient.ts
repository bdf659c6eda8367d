// The WebSocket client: the shape of @azure/web-pubsub-client, on the shared protocol core.
// One state machine drives every connection: a fresh connect (start, or after recovery
// failed), recovery of the same connection (reliable protocol), and stop. Whichever procedure
// opened a socket owns its failure; a socket lost while connected starts recovery.
import {
  base64ToBytes,
  readServiceFrame,
  encodeData,
  JsonText,
  invalidArgument,
  isUint,
  SequenceReceiver,
  WebPubSubError,
  VERBOSE,
  type ConnectedFrame,
  type ServiceFrame,
  type WebPubSubDataType,
  type WebPubSubErrorCode,
} from "../core/index.js";
import { PendingRequests, sleep, type AbortSignalLike } from "./ackTracker.js";
import { Emitter, type Listener } from "./emitter.js";
import { ConnectionError, InvocationError, SendMessageError } from "./errors.js";
import type {
  DisconnectedMessage,
  GroupDataMessage,
  ServerDataMessage,
  InvokeEventOptions,
  InvokeEventResult,
  JoinGroupOptions,
  JSONTypes,
  LeaveGroupOptions,
  OnDisconnectedArgs,
  SendEventOptions,
  SendToGroupOptions,
  StartOptions,
  WebPubSubClientEvents,
  WebPubSubResult,
} from "./messages.js";
import { resolveClientOptions, type ResolvedClientOptions, type WebPubSubClientCredential, type WebPubSubClientOptions } from "./options.js";
import { retryDelay } from "./retry.js";
import {
  CONNECT_TIMEOUT_MS,
  OPEN,
  RECOVERY_FIRST_DELAY_MS,
  RECOVERY_MAX_DELAY_MS,
  RECOVERY_WINDOW_MS,
  SEQUENCE_ACK_BURST,
  SEQUENCE_ACK_EVERY,
  SEQUENCE_ACK_INTERVAL_MS,
  STOP_GRACE_MS,
} from "./tuning.js";
import { defaultWebSocketFactory } from "./transport.js";
import { BOOLEAN, check, NAME, type Rule } from "./validate.js";
import { toFactory, type WebSocketFactory, type WebSocketLike } from "./webSocketLike.js";

type State = "stopped" | "connecting" | "connected" | "recovering" | "reconnecting" | "stopping";

// A caller's ackId: a TypeError, as before (COUNT would make it a RangeError).
const ACK_ID: Rule = [isUint, VERBOSE ? "a non-negative integer" : ""];

// A function, so no two errors share (and a listener cannot alter) one detail object.
const noReason = (): { name: string; message: string } => ({ name: "Unknown", message: "no reason given" });

// `_` members are internal: the browser build shortens their names (scripts/browserBundle.mjs).
interface Opening {
  _recovery: boolean;
  _resolve(frame: ConnectedFrame | undefined): void;
  _reject(error: ConnectionError): void;
}

interface Queued {
  _text: string;
  _resolve(): void;
  _reject(error: Error): void;
  _detach(): void;
}

/**
 * A WebSocket client of Azure Web PubSub. Code written for `@azure/web-pubsub-client` works
 * with an import change; see the README for what this one adds (recovery events, ack
 * timeouts, retries that keep their ackId, a custom WebSocket).
 */
export class WebPubSubClient {
  readonly #credential: WebPubSubClientCredential;
  readonly #options: ResolvedClientOptions;
  readonly #reliable: boolean;
  readonly #events = new Emitter<WebPubSubClientEvents>();
  readonly #acks = new PendingRequests<number, WebPubSubResult>(
    (ackId, code, why, cause) => new SendMessageError(code, VERBOSE ? `message ${ackId} ${why}` : "", { ackId, cause }),
  );
  readonly #invocations = new PendingRequests<string, InvokeEventResult>(
    (invocationId, code, why, cause) => new InvocationError(code, VERBOSE ? `invocation '${invocationId}' ${why}` : "", { invocationId, cause }),
  );
  /** Groups to rejoin after a fresh reconnect. */
  readonly #groups = new Set<string>();
  #queue: Queued[] = [];
  #factory: WebSocketFactory | undefined;
  #state: State = "stopped";
  /** Aborted by stop(): cancels connects, sleeps and getClientAccessUrl. One per start(). */
  #life = new AbortController();
  #whenStopped: Promise<void> = Promise.resolve();
  #markStopped: () => void = () => undefined;
  #socket: WebSocketLike | undefined;
  #opening: Opening | undefined;
  #url: string | undefined;
  #connectionId: string | undefined;
  #userId: string | null = null;
  #reconnectionToken: string | undefined;
  #lastDisconnected: DisconnectedMessage | undefined;
  /** True from a connection's `connected` frame until its `disconnected` event. */
  #live = false;
  #receiver = new SequenceReceiver();
  #sinceSequenceAck = 0;
  #burstAckQueued = false;
  /** Runs once the messages of one socket read are handled (a microtask after them). */
  readonly #endOfBurst = (): void => {
    this.#burstAckQueued = false;
    if (this.#sinceSequenceAck >= SEQUENCE_ACK_BURST) this.#sendSequenceAck();
  };
  #nextAckId = 1;
  #nextInvocation = 1;
  #framesReceived = 0;
  #framesSeen = 0;
  #lastActivity = 0;
  #lastPing = 0;
  #lastSequenceAck = 0;
  #ticker: ReturnType<typeof setInterval> | undefined;

  /**
   * @param credential - A client access URL, or `{ getClientAccessUrl }` called on start and
   *   on every fresh reconnect (so an expired token is replaced).
   * @param options - See {@link WebPubSubClientOptions}.
   */
  constructor(credential: string | WebPubSubClientCredential, options?: WebPubSubClientOptions) {
    if (typeof credential === "string") this.#credential = { getClientAccessUrl: credential };
    else if (
      credential &&
      (typeof credential.getClientAccessUrl === "string" || typeof credential.getClientAccessUrl === "function")
    ) {
      this.#credential = credential;
    } else {
      throw invalidArgument(VERBOSE ? "credential must be a URL or { getClientAccessUrl }" : "credential");
    }
    this.#options = resolveClientOptions(options);
    const url = this.#credential.getClientAccessUrl;
    if (typeof url === "string") checkUrl(url, this.#options.allowInsecureConnection);
    this.#reliable = this.#options.protocol.isReliableSubProtocol;
  }

  /** Connects. Resolves once the connection is ready and `connected` has fired. */
  async start(options: StartOptions = {}): Promise<void> {
    if (this.#state !== "stopped") {
      throw new WebPubSubError("WPS_ERR_INVALID_STATE", VERBOSE ? `start() called while ${this.#state}` : "");
    }
    const signal = options.abortSignal;
    if (signal?.aborted) throw new WebPubSubError("WPS_ERR_ABORTED", VERBOSE ? "start() was aborted" : "");
    const life = new AbortController();
    this.#life = life;
    this.#whenStopped = new Promise<void>((resolve) => (this.#markStopped = resolve));
    this.#state = "connecting";
    const onAbort = (): void => life.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#connectFresh(life.signal);
    } catch (err) {
      // stop() during start already ended the run and emitted `stopped`.
      this.#finishStop(false);
      if (signal?.aborted) throw new WebPubSubError("WPS_ERR_ABORTED", VERBOSE ? "start() was aborted" : "", { cause: err });
      throw err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Closes the connection. Pending sends fail with `WPS_ERR_CLOSED`; `disconnected` (if a
   * connection was up) and `stopped` fire. Resolves once stopped; safe to call twice.
   */
  stop(): Promise<void> {
    const state = this.#state;
    if (state === "stopped" || state === "stopping") return this.#whenStopped;
    this.#state = "stopping";
    this.#life.abort();
    this.#failEverything(VERBOSE ? "the client was stopped" : "");
    const ws = this.#socket;
    if (ws && state === "connected") {
      // A clean close tells the service not to keep the connection for recovery.
      const timer = setTimeout(() => this.#onSocketClose(ws, 1006, "close timed out"), STOP_GRACE_MS);
      void this.#whenStopped.then(() => clearTimeout(timer));
      try {
        ws.close(1000, "");
      } catch {
        this.#onSocketClose(ws, 1006, "close failed");
      }
    } else this.#finishStop(true); // and drops a socket still opening
    return this.#whenStopped;
  }

  /** Stops the client at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** Adds a listener. Events: see {@link WebPubSubClientEvents}. */
  on<K extends keyof WebPubSubClientEvents>(event: K, listener: Listener<WebPubSubClientEvents[K]>): void {
    this.#events.on(event, listener);
  }

  /** Removes a listener added with {@link WebPubSubClient.on}. */
  off<K extends keyof WebPubSubClientEvents>(event: K, listener: Listener<WebPubSubClientEvents[K]>): void {
    this.#events.off(event, listener);
  }

  /** Sends to a group. Resolves with the ack (`isDuplicated` when a retry found it already done). */
  async sendToGroup(
    groupName: string,
    content: JSONTypes | ArrayBuffer | Uint8Array,
    dataType: WebPubSubDataType,
    options: SendToGroupOptions = {},
  ): Promise<WebPubSubResult> {
    checkName(groupName, "groupName");
    const payload = encodePayload(content, dataType);
    const noEcho = options.noEcho ?? false;
    // Checked here: the frame is written as text, field by field.
    check("noEcho", noEcho, BOOLEAN);
    // `noEcho: false` is the protocol's default: left out, as the official client does.
    return this.#send(`{"type":"sendToGroup","group":${JSON.stringify(groupName)}`, `${noEcho ? ',"noEcho":true' : ""}${payload}}`, options);
  }

  /** Sends a user event to the upstream event handler. */
  async sendEvent(
    eventName: string,
    content: JSONTypes | ArrayBuffer | Uint8Array,
    dataType: WebPubSubDataType,
    options: SendEventOptions = {},
  ): Promise<WebPubSubResult> {
    checkName(eventName, "eventName");
    return this.#send(`{"type":"event","event":${JSON.stringify(eventName)}`, `${encodePayload(content, dataType)}}`, options);
  }

  /** Joins a group; the group is rejoined after a fresh reconnect (`autoRejoinGroups`). */
  async joinGroup(groupName: string, options: JoinGroupOptions = {}): Promise<WebPubSubResult> {
    checkName(groupName, "groupName");
    const result = await this.#sendAcked(`{"type":"joinGroup","group":${JSON.stringify(groupName)}`, "}", options.ackId, options.abortSignal);
    this.#groups.add(groupName);
    return result;
  }

  /** Leaves a group. */
  async leaveGroup(groupName: string, options: LeaveGroupOptions = {}): Promise<WebPubSubResult> {
    checkName(groupName, "groupName");
    const result = await this.#sendAcked(`{"type":"leaveGroup","group":${JSON.stringify(groupName)}`, "}", options.ackId, options.abortSignal);
    this.#groups.delete(groupName);
    return result;
  }

  /**
   * Calls the upstream handler of `eventName` and resolves with its response. Not retried: an
   * event handler may not be idempotent. Fails with {@link InvocationError}.
   */
  async invokeEvent(
    eventName: string,
    content: JSONTypes | ArrayBuffer | Uint8Array,
    dataType: WebPubSubDataType,
    options: InvokeEventOptions = {},
  ): Promise<InvokeEventResult> {
    checkName(eventName, "eventName");
    const payload = encodePayload(content, dataType);
    const invocationId = options.invocationId ?? this.#newInvocationId();
    checkName(invocationId, "invocationId");
    if (this.#invocations.has(invocationId)) throw invalidArgument(VERBOSE ? `invocation '${invocationId}' is already waiting` : "invocationId");
    const text = `{"type":"invoke","invocationId":${JSON.stringify(invocationId)},"target":"event","event":${JSON.stringify(eventName)}${payload}}`;
    return this.#request(this.#invocations, invocationId, text, options.abortSignal, false);
  }

  // ---- sending ----

  /** Sends the frame `head` + `tail`, acked (an ackId between them) unless `fireAndForget`. */
  #send(head: string, tail: string, options: SendEventOptions): Promise<WebPubSubResult> {
    return options.fireAndForget
      ? Promise.resolve(this.#transmit(head + tail, options.abortSignal, false)).then(() => ({ isDuplicated: false }))
      : this.#sendAcked(head, tail, options.ackId, options.abortSignal);
  }

  /**
   * Sends with an ackId and waits for the ack, retrying per `messageRetryOptions`. Every retry
   * sends the same frame with the same ackId, so the service answers `Duplicate` instead of
   * doing it twice. Refusals (`Forbidden`, `BadRequest`) are final. The frame is `head`, the
   * ackId field, then `tail` (JSON text, as the caller wrote it).
   */
  #sendAcked(head: string, tail: string, ackId: number | undefined, signal: AbortSignalLike | undefined): Promise<WebPubSubResult> {
    // Throws synchronously; every caller is async, so a bad argument rejects its call.
    if (ackId !== undefined) check("ackId", ackId, ACK_ID);
    const id = ackId ?? this.#newAckId();
    if (this.#acks.has(id)) throw invalidArgument(VERBOSE ? `ackId ${id} is already waiting` : "ackId");
    const text = `${head},"ackId":${id}${tail}`;
    // The first try is all a send usually needs: only a failure enters the retry loop.
    return this.#request(this.#acks, id, text, signal, false).catch((err: unknown) => this.#retry(id, text, signal, err));
  }

  async #retry(id: number, text: string, signal: AbortSignalLike | undefined, err: unknown): Promise<WebPubSubResult> {
    for (let retry = 1; ; retry++) {
      if (!isRetryable(err) || signal?.aborted || this.#life.signal.aborted) throw err;
      const delay = retryDelay(this.#options.messageRetryOptions, retry);
      if (delay === undefined) throw err;
      // After a loss the frame waits in the queue for the next connection anyway.
      if ((err as SendMessageError).code !== "WPS_ERR_CONNECTION_LOST") {
        await sleepUnlessStopped(delay, signal, this.#life.signal, err as Error);
      }
      try {
        return await this.#request(this.#acks, id, text, signal, false);
      } catch (next) {
        err = next;
      }
    }
  }

  /** Registers `key` with `pending`, writes (or queues) the frame, then arms the answer timeout. */
  #request<K, V>(pending: PendingRequests<K, V>, key: K, text: string, signal: AbortSignalLike | undefined, direct: boolean): Promise<V> {
    const answer = pending.add(key, signal);
    const ms = this.#options.ackTimeoutInMs;
    let queued: Promise<void> | undefined;
    try {
      queued = this.#transmit(text, signal, direct);
    } catch (err) {
      failRequest(pending, key, err);
      return answer;
    }
    if (!queued) {
      pending.arm(key, ms);
      return answer;
    }
    return queued.then(
      () => (pending.arm(key, ms), answer),
      (err: unknown) => (failRequest(pending, key, err), answer),
    );
  }

  /**
   * Writes a frame now when connected (or `direct`, for rejoins before `connected`), queues it
   * while (re)connecting, and refuses it when stopped. Returns a promise only when queued.
   */
  #transmit(text: string, signal: AbortSignalLike | undefined, direct: boolean): Promise<void> | undefined {
    if (signal?.aborted) throw new SendMessageError("WPS_ERR_ABORTED", VERBOSE ? "the send was aborted" : "");
    if (this.#state === "connected" || direct) {
      const ws = this.#socket;
      if (!ws || ws.readyState !== OPEN) throw new SendMessageError("WPS_ERR_CONNECTION_LOST", VERBOSE ? "the connection was lost" : "");
      try {
        ws.send(text);
      } catch (err) {
        throw new SendMessageError("WPS_ERR_CONNECTION_LOST", VERBOSE ? "the socket refused the frame" : "", { cause: err });
      }
      return undefined;
    }
    if (this.#state === "stopped") throw new SendMessageError("WPS_ERR_NOT_CONNECTED", VERBOSE ? "call start() first" : "");
    if (this.#state === "stopping") throw new SendMessageError("WPS_ERR_CLOSED", VERBOSE ? "the client was stopped" : "");
    if (this.#queue.length >= this.#options.maxQueuedMessages) {
      throw new SendMessageError("WPS_ERR_QUEUE_FULL", VERBOSE ? "maxQueuedMessages sends already wait for the connection" : "");
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#queue = this.#queue.filter((q) => q !== item);
        reject(new SendMessageError("WPS_ERR_ABORTED", VERBOSE ? "the send was aborted" : ""));
      };
      const item: Queued = {
        _text: text,
        _resolve: resolve,
        _reject: reject,
        _detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(item);
    });
  }

  /** Writes the frames queued while (re)connecting, in order. */
  #flushQueue(): void {
    const ws = this.#socket;
    while (this.#queue.length && ws && ws.readyState === OPEN && this.#state === "connected") {
      const item = this.#queue.shift()!;
      item._detach();
      try {
        ws.send(item._text);
        item._resolve();
      } catch (err) {
        item._reject(new SendMessageError("WPS_ERR_CONNECTION_LOST", VERBOSE ? "the socket refused the frame" : "", { cause: err }));
      }
    }
  }

  #newAckId(): number {
    while (this.#acks.has(this.#nextAckId)) this.#nextAckId++;
    return this.#nextAckId++;
  }

  #newInvocationId(): string {
    const crypto = globalThis.crypto as { randomUUID?: () => string } | undefined;
    if (crypto?.randomUUID) return crypto.randomUUID();
    // randomUUID needs a secure context in browsers; elsewhere a counter (as the official
    // client's ids are), skipping an id the caller chose for a call still waiting.
    let id: string;
    while (this.#invocations.has((id = `${this.#nextInvocation++}`)));
    return id;
  }

  // ---- connecting ----

  /** A new connection: fresh URL, handshake, rejoin, then `connected`. Throws ConnectionError. */
  async #connectFresh(signal: AbortSignal): Promise<void> {
    const url = await this.#fetchUrl(signal);
    this.#url = url;
    this.#receiver = new SequenceReceiver();
    this.#sinceSequenceAck = 0;
    this.#lastDisconnected = undefined;
    const connected = await this.#open(url, false, signal);
    const ws = this.#socket!;
    this.#connectionId = connected!.connectionId;
    this.#userId = connected!.userId ?? null;
    this.#reconnectionToken = connected!.reconnectionToken;
    this.#live = true;
    this.#startTicker();
    if (this.#options.autoRejoinGroups && this.#groups.size) {
      await Promise.all(
        [...this.#groups].map(async (group) => {
          const ackId = this.#newAckId();
          try {
            await this.#request(this.#acks, ackId, JSON.stringify({ type: "joinGroup", group, ackId }), undefined, true);
          } catch (error) {
            // A loss during the rejoin fails this connect as a whole instead.
            if (this.#socket === ws) this.#events.emit("rejoin-group-failed", { group, error: error as Error });
          }
        }),
      );
    }
    if (signal.aborted) throw new ConnectionError(VERBOSE ? "connect aborted" : "");
    if (this.#socket !== ws) throw new ConnectionError(VERBOSE ? "lost while rejoining groups" : "");
    this.#state = "connected";
    this.#events.emit("connected", { connectionId: this.#connectionId, userId: this.#userId as string });
    this.#flushQueue();
  }

  async #fetchUrl(signal: AbortSignal): Promise<string> {
    const source = this.#credential.getClientAccessUrl;
    let url: unknown;
    try {
      url = typeof source === "string" ? source : await untilAborted(Promise.resolve(source({ abortSignal: signal })), signal);
    } catch (err) {
      throw new ConnectionError(VERBOSE ? "getClientAccessUrl failed" : "", { cause: err });
    }
    if (signal.aborted) throw new ConnectionError(VERBOSE ? "connect aborted" : "");
    if (typeof url !== "string") throw new ConnectionError(VERBOSE ? `getClientAccessUrl must return a string, got ${typeof url}` : "");
    return checkUrl(url, this.#options.allowInsecureConnection);
  }

  /**
   * Opens a socket. A fresh one resolves with the `connected` frame; a recovery resolves on
   * the first frame after open (a refused recovery opens, then closes with 1008 at once).
   */
  #open(url: string, recovery: boolean, signal: AbortSignal): Promise<ConnectedFrame | undefined> {
    return new Promise<ConnectedFrame | undefined>((resolve, reject) => {
      if (signal.aborted) return reject(new ConnectionError(VERBOSE ? "connect aborted" : ""));
      let ws: WebSocketLike;
      try {
        this.#factory ??= this.#options.webSocket ? toFactory(this.#options.webSocket) : defaultWebSocketFactory();
        ws = this.#factory(url, this.#options.protocol.name);
      } catch (err) {
        return reject(err instanceof WebPubSubError ? err : new ConnectionError(VERBOSE ? "no WebSocket could be created" : "", { cause: err }));
      }
      // Either way out first clears the timer, the abort listener and #opening.
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (this.#opening === opening) this.#opening = undefined;
      };
      const opening: Opening = { _recovery: recovery, _resolve: (frame) => (done(), resolve(frame)), _reject: (error) => (done(), reject(error)) };
      const fail = (message: string): void => {
        this.#forget(ws);
        opening._reject(new ConnectionError(message));
      };
      const onAbort = (): void => fail(VERBOSE ? "connect aborted" : "");
      const timer = setTimeout(() => fail(VERBOSE ? `no answer within ${CONNECT_TIMEOUT_MS} ms` : ""), CONNECT_TIMEOUT_MS);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#opening = opening;
      this.#socket = ws;
      if ("binaryType" in ws) ws.binaryType = "arraybuffer";
      ws.onopen = () => {
        if (this.#socket !== ws) return;
        this.#framesReceived++;
        if (recovery) {
          // Resend the last sequenceAck: the service may not have got it before the drop.
          if (this.#receiver.latest > 0) ws.send(JSON.stringify({ type: "sequenceAck", sequenceId: this.#receiver.latest }));
          // Any answer proves the service took the connection back.
          ws.send(JSON.stringify({ type: "ping" }));
        }
      };
      if (typeof ws.on === "function") ws.on("message", (data: { toString(): string }, isBinary: boolean) => this.#onMessage(ws, isBinary ? data : data.toString()));
      else ws.onmessage = (event: { data: unknown }) => this.#onMessage(ws, event.data);
      ws.onclose = (event: { code?: number; reason?: string }) => this.#onSocketClose(ws, event.code ?? 1006, event.reason ?? "");
      // `close` follows every error; this listener only keeps `ws` from throwing.
      ws.onerror = () => undefined;
    });
  }

  /** Recovery of the same connection (reliable protocol). True when it came back. */
  async #recover(code: number, reason: string, signal: AbortSignal): Promise<boolean> {
    const connectionId = this.#connectionId!;
    const url = new URL(this.#url!);
    url.searchParams.set("awps_connection_id", connectionId);
    url.searchParams.set("awps_reconnection_token", this.#reconnectionToken!);
    this.#state = "recovering";
    this.#events.emit("recovering", { connectionId, code, reason });
    const started = Date.now();
    let delay = 0;
    for (let attempts = 1; !signal.aborted; attempts++) {
      try {
        await this.#open(url.toString(), true, signal);
      } catch (err) {
        if (signal.aborted || (err as ConnectionError).closeCode === 1008) return false;
        delay = Math.min(delay ? delay * 2 : RECOVERY_FIRST_DELAY_MS, RECOVERY_MAX_DELAY_MS);
        const left = RECOVERY_WINDOW_MS - (Date.now() - started);
        if (left <= delay) return false;
        try {
          await sleep(delay, signal, () => new Error("stopped"));
        } catch {
          return false;
        }
        continue;
      }
      this.#state = "connected";
      this.#startTicker();
      this.#events.emit("recovered", { connectionId, attempts, elapsedMs: Date.now() - started });
      this.#flushQueue();
      return true;
    }
    return false;
  }

  /** After a connection was lost while connected: recover, else reconnect, else stop. */
  async #afterLoss(code: number, reason: string): Promise<void> {
    const signal = this.#life.signal;
    const recoverable =
      this.#reliable && this.#reconnectionToken !== undefined && this.#lastDisconnected === undefined && code !== 1008 && code !== 1000;
    if (recoverable && (await this.#recover(code, reason, signal))) return;
    if (signal.aborted) return;
    this.#emitDisconnected(code, reason);
    if (!this.#options.autoReconnect) return this.#finishStop(true);
    this.#state = "reconnecting";
    for (let retry = 1; ; retry++) {
      try {
        await this.#connectFresh(signal);
        return;
      } catch {
        if (signal.aborted) return;
        if (this.#live) this.#emitDisconnected(1006, "lost while rejoining groups");
        const delay = retryDelay(this.#options.reconnectRetryOptions, retry);
        if (delay === undefined) return this.#finishStop(true);
        try {
          await sleep(delay, signal, () => new Error("stopped"));
        } catch {
          return;
        }
      }
    }
  }

  // ---- receiving ----

  #onMessage(ws: WebSocketLike, data: unknown): void {
    if (this.#socket !== ws) return;
    this.#framesReceived++;
    // JSON subprotocols use text frames only; anything else is not ours to interpret.
    if (typeof data !== "string") return;
    // Unknown or malformed frames are skipped: the protocol adds types over time.
    const frame = readServiceFrame(data);
    if (!frame) return;
    if (this.#opening?._recovery) this.#opening._resolve(undefined);
    switch (frame.type) {
      case "message":
        return this.#onDataMessage(frame);
      case "ack":
        return this.#onAck(frame);
      case "system":
        if (frame.event === "connected") {
          // A recovered connection may get a fresh token; only a fresh one completes a handshake.
          if (frame.reconnectionToken) this.#reconnectionToken = frame.reconnectionToken;
          if (this.#opening && !this.#opening._recovery) this.#opening._resolve(frame);
        } else {
          this.#lastDisconnected = { kind: "disconnected", message: frame.message };
        }
        return;
      case "invokeResponse":
        return this.#onInvokeResponse(frame);
      // pong: counted as activity above
    }
  }

  #onDataMessage(frame: Extract<ServiceFrame, { type: "message" }>): void {
    const seq = frame.sequenceId;
    if (seq !== undefined && this.#reliable) {
      // A replay after recovery repeats what already arrived: drop it, exactly once.
      if (!this.#receiver.accept(seq)) return;
      if (++this.#sinceSequenceAck >= SEQUENCE_ACK_EVERY) this.#sendSequenceAck();
      else if (!this.#burstAckQueued) {
        this.#burstAckQueued = true;
        queueMicrotask(this.#endOfBurst);
      }
    }
    const data = publicData(frame.dataType, frame.data);
    // One object literal per shape: spreading a message to add sequenceId costs more than the rest.
    const dataType = frame.dataType;
    if (frame.from === "group") {
      const group = frame.group;
      const fromUserId = (frame.fromUserId ?? null) as string;
      const message: GroupDataMessage =
        seq === undefined ? { kind: "groupData", group, fromUserId, dataType, data } : { kind: "groupData", group, fromUserId, dataType, data, sequenceId: seq };
      this.#events.emit("group-message", { message });
    } else {
      const message: ServerDataMessage = seq === undefined ? { kind: "serverData", dataType, data } : { kind: "serverData", dataType, data, sequenceId: seq };
      this.#events.emit("server-message", { message });
    }
  }

  #onAck(frame: Extract<ServiceFrame, { type: "ack" }>): void {
    const ackId = frame.ackId;
    // A `Duplicate` refusal means a retry found the send already done.
    if (frame.success || frame.error?.name === "Duplicate") this.#acks.resolve(ackId, { ackId, isDuplicated: !frame.success });
    else {
      const detail = frame.error ?? noReason();
      this.#acks.reject(
        ackId,
        new SendMessageError("WPS_ERR_ACK_REJECTED", VERBOSE ? `message ${ackId} was refused: ${detail.name}: ${detail.message}` : "", { ackId, errorDetail: detail }),
      );
    }
  }

  #onInvokeResponse(frame: Extract<ServiceFrame, { type: "invokeResponse" }>): void {
    const invocationId = frame.invocationId;
    if (frame.success !== true) {
      const detail = frame.error ?? noReason();
      this.#invocations.reject(
        invocationId,
        new InvocationError("WPS_ERR_INVOCATION_FAILED", VERBOSE ? `invocation '${invocationId}' failed: ${detail.name}: ${detail.message}` : "", { invocationId, errorDetail: detail }),
      );
      return;
    }
    const result: InvokeEventResult = { invocationId };
    if (frame.dataType !== undefined && frame.data !== undefined) {
      result.dataType = frame.dataType;
      result.data = publicData(frame.dataType, frame.data);
    }
    this.#invocations.resolve(invocationId, result);
  }

  #sendSequenceAck(): void {
    const ws = this.#socket;
    if (!ws || ws.readyState !== OPEN) return;
    const frame = this.#receiver.ackNeeded();
    this.#sinceSequenceAck = 0;
    this.#lastSequenceAck = Date.now();
    if (frame) ws.send(JSON.stringify(frame));
  }

  // ---- keep-alive ----

  /** One timer for pings, the dead-socket check and the timed sequenceAck. */
  #startTicker(): void {
    this.#stopTicker();
    const { keepAliveIntervalInMs: interval, keepAliveTimeoutInMs: timeout } = this.#options;
    const period = Math.max(10, Math.min(interval || Infinity, timeout ? timeout / 4 : Infinity, this.#reliable ? SEQUENCE_ACK_INTERVAL_MS : Infinity));
    if (period === Infinity) return;
    this.#lastActivity = this.#lastPing = this.#lastSequenceAck = Date.now();
    this.#framesSeen = this.#framesReceived;
    this.#ticker = setInterval(() => this.#tick(), period);
    (this.#ticker as { unref?: () => void }).unref?.();
  }

  #stopTicker(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  #tick(): void {
    const ws = this.#socket;
    if (!ws || this.#state !== "connected") return;
    const now = Date.now();
    // Counting frames costs less than reading the clock for each of them.
    if (this.#framesReceived !== this.#framesSeen) {
      this.#framesSeen = this.#framesReceived;
      this.#lastActivity = now;
    }
    const { keepAliveIntervalInMs: interval, keepAliveTimeoutInMs: timeout } = this.#options;
    if (timeout && now - this.#lastActivity > timeout) {
      // A dead socket (sleep, lost network) never finishes a closing handshake: drop it now.
      this.#onSocketClose(ws, 1006, `no frame for ${now - this.#lastActivity} ms (keepAliveTimeoutInMs)`);
      return;
    }
    if (interval && now - this.#lastPing >= interval) {
      this.#lastPing = now;
      try {
        ws.send(JSON.stringify({ type: "ping" }));
      } catch {
        // The close event reports the failure.
      }
    }
    if (this.#reliable && now - this.#lastSequenceAck >= SEQUENCE_ACK_INTERVAL_MS) this.#sendSequenceAck();
  }

  // ---- closing ----

  #onSocketClose(ws: WebSocketLike, code: number, reason: string): void {
    if (this.#socket !== ws) return;
    this.#forget(ws);
    const opening = this.#opening;
    if (opening) {
      // The procedure that opened this socket decides what comes next.
      opening._reject(new ConnectionError(VERBOSE ? `closed (${code}${reason ? `: ${reason}` : ""})` : "", { closeCode: code, closeReason: reason }));
      return;
    }
    this.#failInFlight("WPS_ERR_CONNECTION_LOST", VERBOSE ? `the connection was lost (${code})` : "");
    if (this.#state === "stopping") return this.#finishStop(true, code, reason);
    if (this.#state === "connected") void this.#afterLoss(code, reason);
    // Otherwise a connect is rejoining groups on this socket and sees the loss itself.
  }

  /** Detaches a socket and ends its TCP connection without waiting for anything. */
  #forget(ws: WebSocketLike): void {
    if (this.#socket === ws) this.#socket = undefined;
    this.#stopTicker();
    // A no-op, not null, for onerror: `ws` throws on an error event with no listener.
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = () => undefined;
    try {
      if (typeof ws.terminate === "function") ws.terminate();
      else if (ws.readyState < 2) ws.close();
    } catch {
      // Already closed.
    }
  }

  #failInFlight(code: "WPS_ERR_CONNECTION_LOST" | "WPS_ERR_CLOSED", why: string): void {
    const text = VERBOSE ? `failed: ${why}` : "";
    this.#acks.rejectAll(code, text);
    this.#invocations.rejectAll(code, text);
  }

  /** Fails every sent and queued request with WPS_ERR_CLOSED. */
  #failEverything(why: string): void {
    this.#failInFlight("WPS_ERR_CLOSED", why);
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) {
      item._detach();
      item._reject(new SendMessageError("WPS_ERR_CLOSED", VERBOSE ? `not sent: ${why}` : ""));
    }
  }

  #emitDisconnected(code: number, reason: string): void {
    if (!this.#live) return;
    this.#live = false;
    const args: OnDisconnectedArgs = {};
    if (this.#connectionId !== undefined) args.connectionId = this.#connectionId;
    if (this.#lastDisconnected) args.message = this.#lastDisconnected;
    args.code = code;
    args.reason = reason;
    this.#events.emit("disconnected", args);
  }

  /** Ends a run: `disconnected` if a connection was up, then `stopped` (unless start() failed). */
  #finishStop(emit: boolean, code = 1000, reason = ""): void {
    if (this.#state === "stopped") return;
    this.#life.abort();
    this.#failEverything(VERBOSE ? "the client stopped" : "");
    if (this.#socket) this.#forget(this.#socket);
    this.#stopTicker();
    this.#state = "stopped";
    if (emit) {
      this.#emitDisconnected(code, reason);
      this.#events.emit("stopped", {});
    }
    this.#live = false;
    this.#connectionId = undefined;
    this.#reconnectionToken = undefined;
    this.#markStopped();
  }
}

/** Fails a request whose frame could not be written, with the write's code and message. */
function failRequest<K>(pending: PendingRequests<K, unknown>, key: K, err: unknown): void {
  pending.fail(key, (err as WebPubSubError).code ?? "WPS_ERR_NOT_CONNECTED", VERBOSE ? `was not sent: ${(err as Error).message}` : "", err);
}

function isRetryable(err: unknown): boolean {
  if (!(err instanceof SendMessageError)) return false;
  switch (err.code) {
    case "WPS_ERR_CONNECTION_LOST":
    case "WPS_ERR_ACK_TIMEOUT":
      return true;
    case "WPS_ERR_ACK_REJECTED":
      // The same request would be refused again.
      return err.errorDetail?.name !== "Forbidden" && err.errorDetail?.name !== "BadRequest";
    default:
      return false;
  }
}

async function sleepUnlessStopped(ms: number, signal: AbortSignalLike | undefined, life: AbortSignal, last: Error): Promise<void> {
  const onStop = (): void => stopper.abort();
  const stopper = new AbortController();
  life.addEventListener("abort", onStop, { once: true });
  signal?.addEventListener("abort", onStop, { once: true });
  try {
    await sleep(ms, stopper.signal, () => last);
  } finally {
    life.removeEventListener("abort", onStop);
    signal?.removeEventListener("abort", onStop);
  }
}

/** Settles like `promise`, or rejects as soon as `signal` aborts (a URL source may ignore it). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new ConnectionError(VERBOSE ? "connect aborted" : ""));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** `,"dataType":…,"data":…` of a frame; throws TypeError (WPS_ERR_INVALID_ARGUMENT) when `content` does not fit `dataType`. */
function encodePayload(content: unknown, dataType: WebPubSubDataType): string {
  const data = encodeData(content, dataType);
  // encodeData refused any other dataType, so it needs no escaping.
  return `,"dataType":"${dataType}","data":${data instanceof JsonText ? data.text : JSON.stringify(data)}`;
}

/** Wire data, already checked by the decoder, as listeners get it: binary as an ArrayBuffer, as the official client does. */
function publicData(dataType: WebPubSubDataType, data: unknown): JSONTypes | ArrayBuffer {
  return dataType === "binary" ? (base64ToBytes(data as string)!.buffer as ArrayBuffer) : (data as JSONTypes);
}

function checkName(value: unknown, name: string): void {
  check(name, value, NAME);
}

/**
 * Parses a client access URL and refuses plain ws:// off loopback unless allowed. Messages
 * name the origin only: the query holds the access token.
 */
function checkUrl(value: string, allowInsecure: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidArgument(VERBOSE ? "invalid client access URL" : "credential");
  }
  // http(s) is taken as ws(s), as the official client does.
  url.protocol = url.protocol.replace(/^http(s?):$/, "ws$1:");
  if (!/^wss?:$/.test(url.protocol)) throw invalidArgument(VERBOSE ? `client access URL must be wss://, got ${url.protocol}` : "credential");
  // The URL parser lowercases the host, writes IPv4 in dotted decimal and IPv6 in brackets, shortest form.
  if (url.protocol === "ws:" && !allowInsecure && !/^(\[::1\]|127(\.\d+){3}|(.+\.)?localhost)$/.test(url.hostname)) {
    throw new WebPubSubError(
      "WPS_ERR_INSECURE_ENDPOINT",
      VERBOSE ? `${url.origin} would send the token unencrypted: use wss:// or allowInsecureConnection` : "",
    );
  }
  return url.toString();
}
