// Sequence ids and the replay buffer of one reliable connection (protocol-emulator.md §2.8).

/** Unacked messages allowed before the connection is dropped with no recovery. */
export const MAX_UNACKED_MESSAGES = 1000;
/** Unacked bytes allowed before the connection is dropped with no recovery. */
export const MAX_UNACKED_BYTES = 16 * 1024 * 1024;
/** How long a dropped reliable connection waits for its client to recover. */
export const RECOVERY_WINDOW_MS = 30_000;

interface Entry {
  seq: number;
  frame: string;
  bytes: number;
}

/** Numbers outgoing messages from 1 and keeps them until the client acks them. */
export class ReplayBuffer {
  private nextSeq = 1;
  private entries: Entry[] = [];
  // Index of the oldest live entry; the array is compacted now and then instead of shift()ing.
  private head = 0;
  private bytes = 0;

  /** Assigns the next sequence id and keeps the frame. Returns the frame to send. */
  push(jsonTail: string, payloadBytes: number): string {
    const seq = this.nextSeq++;
    const frame = `{"sequenceId":${seq},${jsonTail}`;
    this.entries.push({ seq, frame, bytes: payloadBytes });
    this.bytes += payloadBytes;
    return frame;
  }

  /** True when the unacked backlog is over the limits. */
  get overflowed(): boolean {
    return this.size > MAX_UNACKED_MESSAGES || this.bytes > MAX_UNACKED_BYTES;
  }

  /** Number of unacked messages. */
  get size(): number {
    return this.entries.length - this.head;
  }

  /** Releases every message with an id up to `sequenceId`. */
  ack(sequenceId: number): void {
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= sequenceId) {
      this.bytes -= this.entries[this.head]!.bytes;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** Unacked frames, oldest first, for replay after recovery. */
  *unacked(): IterableIterator<string> {
    for (let i = this.head; i < this.entries.length; i++) yield this.entries[i]!.frame;
  }
}
