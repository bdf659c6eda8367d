// The onLog sink. Callers already leave secrets out; this is the second line of defence,
// with the same redaction the service client uses (src/core/redact.ts) plus the key itself.
import { redactText } from "../core/index.js";

/** Wraps `onLog` so that no line can carry the key, a JWT or an access token. */
export function createLogger(onLog: ((line: string) => void) | undefined, accessKey: string): (line: string) => void {
  if (!onLog) return () => undefined;
  return (line: string) => {
    const text = redactText(line, [accessKey]);
    try {
      onLog(text);
    } catch {
      // A throwing log sink must not break the emulator.
    }
  };
}
