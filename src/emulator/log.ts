// The onLog sink. Callers already leave secrets out; this is the second line of defence.

const PATTERNS: [RegExp, string][] = [
  // Query parameters that carry credentials.
  [/(access_token|awps_reconnection_token|code|sig|signature)=[^&\s"]+/gi, "$1=***"],
  [/Bearer\s+\S+/gi, "Bearer ***"],
  // Anything shaped like a JWT.
  [/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, "***"],
];

/** Wraps `onLog` so that no line can carry the key, a JWT or an access token. */
export function createLogger(onLog: ((line: string) => void) | undefined, accessKey: string): (line: string) => void {
  if (!onLog) return () => undefined;
  return (line: string) => {
    let text = line.split(accessKey).join("***");
    for (const [re, replacement] of PATTERNS) text = text.replace(re, replacement);
    try {
      onLog(text);
    } catch {
      // A throwing log sink must not break the emulator.
    }
  };
}
