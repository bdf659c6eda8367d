// The client's timings and thresholds. A module of its own, with no imports, so the browser
// bundle writes the numbers where they are used: esbuild inlines such constants across
// modules, but not inside a module that imports anything.

/** The service keeps a dropped reliable connection this long (docs/protocol.md#recovery). */
export const RECOVERY_WINDOW_MS = 30_000;
/** First recovery retry: a killed TCP connection is usually back at once. */
export const RECOVERY_FIRST_DELAY_MS = 50;
/** Recovery retries double up to once a second. */
export const RECOVERY_MAX_DELAY_MS = 1000;
/**
 * A reliable client acks every this many messages. The service cuts it off past 1000 unacked;
 * acking every 100 keeps a fast stream far from that (the official client only has the timer).
 */
export const SEQUENCE_ACK_EVERY = 100;
/**
 * A burst (the messages of one socket read) ends with an ack too when it brought this many:
 * messages still on their way count against the service's limit, so acks must not wait for
 * the next burst. Fewer than this wait for the count or the timer (a slow stream acks less).
 */
export const SEQUENCE_ACK_BURST = 10;
/** The timed sequenceAck, for a slow stream. */
export const SEQUENCE_ACK_INTERVAL_MS = 1000;
/** A handshake (or a recovery attempt) that hangs this long is given up and retried. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** stop() sends a close frame; a socket that does not answer is dropped after this long. */
export const STOP_GRACE_MS = 1000;
/** WebSocket readyState of an open socket. */
export const OPEN = 1;
