// Faults injected into upstream calls on purpose (from the dashboard), to test how clients
// and handlers cope with a slow or failing event handler. Each fault covers the next
// `count` calls of one hub, then the hub is back to normal.

/** A fault for the next calls of a hub. */
export type UpstreamFault =
  | { mode: "slow"; remaining: number; delayMs: number }
  | { mode: "fail"; remaining: number; status: number };

/** The armed faults, per hub (names normalized by the caller). */
export class UpstreamFaults {
  private readonly byHub = new Map<string, UpstreamFault>();

  /** Arms `fault` for a hub, or clears it with null. */
  set(hub: string, fault: UpstreamFault | null): void {
    if (fault === null || fault.remaining <= 0) this.byHub.delete(hub);
    else this.byHub.set(hub, { ...fault });
  }

  /** The fault armed for a hub, if any (a copy). */
  peek(hub: string): UpstreamFault | undefined {
    const fault = this.byHub.get(hub);
    return fault && { ...fault };
  }

  /** Hubs with a fault armed. */
  hubs(): string[] {
    return [...this.byHub.keys()];
  }

  /** Uses up one call of the hub's fault and returns it; undefined when none is armed. */
  take(hub: string): UpstreamFault | undefined {
    const fault = this.byHub.get(hub);
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.byHub.delete(hub);
    return fault;
  }
}
