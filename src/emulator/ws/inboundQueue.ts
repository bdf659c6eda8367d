// Inbound frames of one connection run one after another, so acks and handler replies keep
// their order. Only frames that wait for an upstream call are queued and counted
// (docs/protocol.md#backpressure): a frame with nothing ahead of it that needs no upstream
// runs at once. A growing queue first pauses reading the socket; only a queue that still
// passes the hard bound (one socket read can carry thousands of frames) closes the client.

/** Frames waiting for the event handler before the client is cut off. */
export const MAX_WAITING_FRAMES = 1000;
/** Bytes of frames waiting for the event handler before the client is cut off. */
export const MAX_WAITING_BYTES = 16 * 1024 * 1024;
// Reading pauses well before the hard bounds and resumes once the queue has drained to half.
const PAUSE_FRAMES = 100;
const PAUSE_BYTES = 1024 * 1024;

/** What the queue asks of its connection. */
export interface InboundQueueHooks {
  /** Stop reading the socket (backpressure). */
  pause(): void;
  /** Read the socket again. */
  resume(): void;
  /** The hard bound was passed; the queue has dropped the frame. */
  overflow(waitingFrames: number, waitingBytes: number): void;
  /** A task threw or rejected. */
  failed(err: unknown): void;
}

/** An ordered queue of frame tasks with backpressure. */
export class InboundQueue {
  private chain: Promise<void> = Promise.resolve();
  private frames = 0;
  private bytes = 0;
  private paused = false;

  constructor(private readonly hooks: InboundQueueHooks) {}

  /** Frames queued behind (or waiting for) an upstream call. */
  get waitingFrames(): number {
    return this.frames;
  }

  /** True when nothing is queued: a task that needs no upstream would run at once. */
  get idle(): boolean {
    return this.frames === 0;
  }

  /** True while reading is paused. */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Runs `task` after every earlier task. A task that `waitsForUpstream` is always queued;
   * any other runs at once when the queue is empty. `size` counts toward the byte bound.
   */
  run(task: () => Promise<void> | void, size: number, waitsForUpstream: boolean): void {
    if (this.frames === 0 && !waitsForUpstream) {
      let result: Promise<void> | void;
      try {
        result = task();
      } catch (err) {
        this.hooks.failed(err);
        return;
      }
      // It turned out to be asynchronous after all: later frames wait for it.
      if (result) this.append(() => result, size);
      return;
    }
    this.append(task, size);
  }

  private append(task: () => Promise<void> | void, size: number): void {
    if (this.frames >= MAX_WAITING_FRAMES || this.bytes + size > MAX_WAITING_BYTES) {
      this.hooks.overflow(this.frames, this.bytes);
      return;
    }
    this.frames++;
    this.bytes += size;
    if (!this.paused && (this.frames >= PAUSE_FRAMES || this.bytes >= PAUSE_BYTES)) {
      this.paused = true;
      this.hooks.pause();
    }
    this.chain = this.chain
      .then(task)
      .catch((err: unknown) => this.hooks.failed(err))
      .finally(() => this.settled(size));
  }

  private settled(size: number): void {
    this.frames--;
    this.bytes -= size;
    if (this.paused && this.frames <= PAUSE_FRAMES / 2 && this.bytes <= PAUSE_BYTES / 2) {
      this.paused = false;
      this.hooks.resume();
    }
  }
}
