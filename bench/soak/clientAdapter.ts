// What the soak needs from a client implementation. The soak's own minimal reliable client
// implements it (reliableClient.ts); the project's client SDK (src/client, in progress) or
// @azure/web-pubsub-client plug in by writing one more factory with the same shape.

/** What the soak passes to each client it creates. */
export interface SoakClientOptions {
  /** A fresh client access URL (`ws://…/client/hubs/<hub>?access_token=…`) allowed to join `groups`. */
  accessUrl(): string;
  /** Groups to join before start() resolves. */
  groups: readonly string[];
  /** Called once per application message the client hands up (after its own de-duplication). */
  onMessage(group: string, data: unknown): void;
}

/** One reliable client under test. */
export interface SoakClient {
  /** Connects and joins the groups; resolves once every join is acknowledged. */
  start(): Promise<void>;
  /** Drops the TCP connection without a WebSocket close frame; the client must recover by itself. */
  kill(): void;
  /**
   * Stops reading and acknowledging for `ms` (a silent network black-hole: the emulator sees
   * nothing), then drops the socket and recovers, as a client does when its liveness check fails.
   */
  blackhole(ms: number): void;
  /** True while the client is connected and not inside a kill or black-hole. */
  readonly healthy: boolean;
  /** Recoveries that resumed the same session. */
  readonly recoveries: number;
  /** Recoveries the service refused (the session, and whatever it buffered, is gone). */
  readonly failedRecoveries: number;
  /** Why each lost session was lost (close code and reason), for the report. */
  readonly lossReasons: readonly string[];
  /** The longest time from a drop to the recovered socket opening, in ms. */
  readonly longestRecoveryMs: number;
  /** Sequence ids that skipped ahead: a protocol-level gap. */
  readonly sequenceGaps: number;
  /** Closes for good. */
  stop(): Promise<void>;
}

/** Creates clients of one implementation. */
export interface SoakClientFactory {
  /** Printed in the report, e.g. "soak reliable client". */
  readonly name: string;
  create(options: SoakClientOptions): SoakClient;
}
