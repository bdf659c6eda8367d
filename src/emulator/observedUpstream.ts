// Reports every blocking upstream call (connect, user events) as an `upstream` event with
// its result and duration. A
// wrapper, so the dispatcher itself stays about CloudEvents and HTTP.
import type { EmulatorEvents, UpstreamEvent } from "./events.js";
import type { Upstream } from "./runtime.js";
import type { ConnectOutcome, UpstreamContext } from "./upstream/index.js";

/** `upstream` wrapped so that each blocking call emits one `upstream` event. */
export function observeUpstream(upstream: Upstream, events: EmulatorEvents): Upstream {
  const report = (ctx: UpstreamContext, event: string, started: number, result: UpstreamEvent["result"], status?: number, answer?: UpstreamEvent["answer"]) => {
    const e: Omit<UpstreamEvent, "time"> = { type: "upstream", hub: ctx.hub, connectionId: ctx.connectionId, event, result, durationMs: Date.now() - started };
    if (status !== undefined) e.status = status;
    if (answer !== undefined) e.answer = answer;
    events.emit(e);
  };
  return {
    hasUserEventHandler: (hub, event) => upstream.hasUserEventHandler(hub, event),
    close: () => upstream.close(),
    async connect(ctx, body) {
      const started = Date.now();
      const outcome = await upstream.connect(ctx, body);
      if (outcome.kind === "reject") report(ctx, "connect", started, "rejected", outcome.status);
      else if (outcome.kind === "none") report(ctx, "connect", started, "no-handler");
      else report(ctx, "connect", started, "ok", undefined, answerOf(outcome));
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

// What an accepting connect handler set; the connection state stays out (it may be anything).
function answerOf(outcome: ConnectOutcome & { kind: "accept" }): NonNullable<UpstreamEvent["answer"]> {
  const answer: NonNullable<UpstreamEvent["answer"]> = {};
  if (outcome.userId !== undefined) answer.userId = outcome.userId;
  if (outcome.roles !== undefined) answer.roles = outcome.roles;
  if (outcome.groups !== undefined) answer.groups = outcome.groups;
  if (outcome.subprotocol !== undefined) answer.subprotocol = outcome.subprotocol;
  return answer;
}
