// A quick reader for the frames clients actually send: one JSON object written by
// JSON.stringify, with no whitespace and no escapes. A service reads every frame a client
// sends, and JSON.parse of such a frame, plus JSON.stringify of its `data` to pass it on,
// cost more than the rest of handling it. This reads the object's own fields and takes the
// `data` value's text as it stands, which is exactly what JSON.stringify(JSON.parse(text))
// gives for it because anything that text could differ in is refused: whitespace, escapes,
// numbers other than plain safe integers, "-0", keys that start with a digit (integer keys
// are reordered by JSON.parse), repeated keys, and deep nesting. A refusal (undefined) is
// not an error: the caller reads the text with JSON.parse instead, which decides.

/** The fields of a compact frame that a client frame can have; absent ones are undefined. */
export interface CompactFields {
  type: unknown;
  ackId: unknown;
  group: unknown;
  noEcho: unknown;
  ttlSeconds: unknown;
  event: unknown;
  invocationId: unknown;
  target: unknown;
  sequenceId: unknown;
  dataType: unknown;
  /** A string, number, boolean or null as is; an object or array is known by its text alone ({@link CompactFrame.dataText}). */
  data: unknown;
}

/** The fields of a compact frame, and the JSON text of its `data` when it has one. */
export interface CompactFrame {
  /** The client-frame fields it has (other fields are checked, then dropped). */
  fields: CompactFields;
  /** The JSON text of `data`, exactly as JSON.stringify would write its value. */
  dataText: string | undefined;
}

// Deeper `data` is left to JSON.parse (and the caller's own depth check).
const MAX_DEPTH = 32;
// Objects with more keys are left to JSON.parse: repeated keys are checked pairwise.
const MAX_KEYS = 32;
// Integers with more digits might not be exact doubles.
const MAX_DIGITS = 15;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

// What JSON.stringify would write otherwise, or JSON.parse refuse, in a string: an escape
// (so a quote always ends a string), a control character, a lone surrogate (only a
// JavaScript string can hold one). Outside strings such a character is invalid anyway.
const UNSAFE = /[\u0000-\u001f\\]|\p{Surrogate}/u;

// The value scalarEnd read last: a number, boolean or null (saves an allocation per field).
let scalar: unknown;

/** Reads `text` as a compact JSON object with scalar fields and any `data`; undefined when it is not one. */
export function readCompactFrame(text: string): CompactFrame | undefined {
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== OPEN_BRACE || text.charCodeAt(n - 1) !== CLOSE_BRACE || UNSAFE.test(text)) return undefined;
  // One shape for every frame, so the decoder's reads of it stay fast.
  const fields: CompactFields = {
    type: undefined,
    ackId: undefined,
    group: undefined,
    noEcho: undefined,
    ttlSeconds: undefined,
    event: undefined,
    invocationId: undefined,
    target: undefined,
    sequenceId: undefined,
    dataType: undefined,
    data: undefined,
  };
  let dataText: string | undefined;
  let i = 1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i);
    if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return undefined;
    const key = fieldOf(text, i + 1, keyEnd - 1);
    i = keyEnd + 1;
    const c = text.charCodeAt(i);
    let end: number;
    let value: unknown;
    if (c === QUOTE) {
      end = stringEnd(text, i);
      if (end < 0) return undefined;
      value = key === undefined ? undefined : text.slice(i + 1, end - 1);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      end = valueEnd(text, i, 0);
      if (end < 0) return undefined;
      // Other fields are scalars in every valid frame; a structured one is left for the checks
      // to refuse. A structured `data` is passed on by its text (dataText), never looked into.
      value = STRUCTURED;
    } else {
      end = scalarEnd(text, i);
      if (end < 0) return undefined;
      value = scalar;
    }
    // A repeated field keeps its last value, as JSON.parse does.
    if (key === "data") dataText = text.slice(i, end);
    if (key !== undefined) fields[key] = value;
    const next = text.charCodeAt(end);
    if (next === CLOSE_BRACE) return end === n - 1 ? { fields, dataText } : undefined;
    if (next !== COMMA) return undefined;
    i = end + 1;
  }
}

// Stands for any object or array value: a field that must be a scalar fails the checks with it
// as with JSON.parse's object, and json `data` is taken from its text.
const STRUCTURED: unknown = {};

// The client-frame field whose name is text[start, end); undefined for any other name. The
// length and first letter pick the one candidate, and one comparison confirms it.
function fieldOf(text: string, start: number, end: number): keyof CompactFields | undefined {
  let candidate: keyof CompactFields | undefined;
  const c = text.charCodeAt(start);
  switch (end - start) {
    case 4:
      candidate = c === 0x74 ? "type" : c === 0x64 ? "data" : undefined;
      break;
    case 5:
      candidate = c === 0x61 ? "ackId" : c === 0x67 ? "group" : c === 0x65 ? "event" : undefined;
      break;
    case 6:
      candidate = c === 0x6e ? "noEcho" : c === 0x74 ? "target" : undefined;
      break;
    case 8:
      candidate = "dataType";
      break;
    case 10:
      candidate = c === 0x74 ? "ttlSeconds" : c === 0x73 ? "sequenceId" : undefined;
      break;
    case 12:
      candidate = "invocationId";
      break;
  }
  return candidate !== undefined && text.startsWith(candidate, start) ? candidate : undefined;
}

// Index just past the string that starts at `i` (readCompactFrame checked that the text
// has no escape, control character or lone surrogate); -1 when it has no end.
function stringEnd(text: string, i: number): number {
  const end = text.indexOf('"', i + 1);
  return end < 0 ? -1 : end + 1;
}

// Index just past the literal or plain safe integer at `i`, its value in `scalar`; -1 for anything else.
function scalarEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x74) return (scalar = true), text.startsWith("true", i) ? i + 4 : -1;
  if (c === 0x66) return (scalar = false), text.startsWith("false", i) ? i + 5 : -1;
  if (c === 0x6e) return (scalar = null), text.startsWith("null", i) ? i + 4 : -1;
  let j = c === MINUS ? i + 1 : i;
  const first = text.charCodeAt(j);
  if (first < ZERO || first > NINE) return -1;
  const digitsStart = j;
  let value = 0;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d < ZERO || d > NINE) break;
    value = value * 10 + (d - ZERO);
    j++;
  }
  // A leading zero or -0 is written differently by JSON.stringify. A fraction or an exponent
  // stops here, and the caller, finding no delimiter after it, refuses the text.
  if (first === ZERO && (j - digitsStart > 1 || c === MINUS)) return -1;
  // Up to 15 digits the sum above is exact.
  if (j - digitsStart > MAX_DIGITS) return -1;
  scalar = c === MINUS ? -value : value;
  return j;
}

// Index just past the value at `i`, checked as above; -1 when it is not in that form.
function valueEnd(text: string, i: number, depth: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACKET) {
    if (depth >= MAX_DEPTH) return -1;
    let j = i + 1;
    if (text.charCodeAt(j) === CLOSE_BRACKET) return j + 1;
    for (;;) {
      j = valueEnd(text, j, depth + 1);
      if (j < 0) return -1;
      const next = text.charCodeAt(j);
      if (next === CLOSE_BRACKET) return j + 1;
      if (next !== COMMA) return -1;
      j++;
    }
  }
  if (c === OPEN_BRACE) {
    if (depth >= MAX_DEPTH) return -1;
    let j = i + 1;
    if (text.charCodeAt(j) === CLOSE_BRACE) return j + 1;
    // The keys so far, as text; only made once there is a second key to compare.
    let keys: string[] | undefined;
    const firstKeyAt = j;
    for (;;) {
      if (text.charCodeAt(j) !== QUOTE) return -1;
      const keyEnd = stringEnd(text, j);
      if (keyEnd < 0 || text.charCodeAt(keyEnd) !== COLON) return -1;
      const k0 = text.charCodeAt(j + 1);
      // JSON.parse puts integer keys first, so their text order would not survive.
      if (k0 >= ZERO && k0 <= NINE) return -1;
      if (j !== firstKeyAt) {
        // A repeated key: JSON.parse keeps one of them, this text has both.
        const key = text.slice(j + 1, keyEnd - 1);
        keys ??= [text.slice(firstKeyAt + 1, text.indexOf('"', firstKeyAt + 1))];
        if (keys.includes(key) || keys.length >= MAX_KEYS) return -1;
        keys.push(key);
      }
      j = valueEnd(text, keyEnd + 1, depth + 1);
      if (j < 0) return -1;
      const next = text.charCodeAt(j);
      if (next === CLOSE_BRACE) return j + 1;
      if (next !== COMMA) return -1;
      j++;
    }
  }
  return scalarEnd(text, i);
}
