// Reports every blocking upstream call (connect, user events) as an `upstream` event with
// its result and duration. A
// wrapper, so the dispatcher itself stays about CloudEvents and HTTP.
import type { EmulatorEvents, UpstreamEvent } from "./events.js";
import type { Upstream } from "./runtime.js";
import type { UpstreamContext } from "./upstream/index.js";

/** `upstream` wrapped so that each blocking call emits one `upstream` event. */
export function observeUpstream(upstream: Upstream, events: EmulatorEvents): Upstream {
  const report = (ctx: UpstreamContext, event: string, started: number, result: UpstreamEvent["result"], status?: number) => {
    const e: Omit<UpstreamEvent, "time"> = { type: "upstream", hub: ctx.hub, connectionId: ctx.connectionId, event, result, durationMs: Date.now() - started };
    if (status !== undefined) e.status = status;
    events.emit(e);
  };
  return {
    hasUserEventHandler: (hub, event) => upstream.hasUserEventHandler(hub, event),
    close: () => upstream.close(),
    async connect(ctx, body) {
      const started = Date.now();
      const outcome = await upstream.connect(ctx, body);
      if (outcome.kind === "reject") report(ctx, "connect", started, "rejected", outcome.status);
      else report(ctx, "connect", started, outcome.kind === "none" ? "no-handler" : "ok");
      return outcome;
    },
    // Non-blocking events have no result to report here; the dispatcher logs theirs.
    connected: (ctx) => upstream.connected(ctx),
    disconnected: (ctx, reason) => upstream.disconnected(ctx, reason),
    async userEvent(ctx, event, data, dataType) {
      const started = Date.now();
      const outcome = await upstream.userEvent(ctx, event, data, dataType);
      if (outcome.kind === "failed") report(ctx, event, started, "failed", outcome.status);
      else report(ctx, event, started, outcome.kind === "none" ? "no-handler" : "ok");
      return outcome;
    },
  };
}
