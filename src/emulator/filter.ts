// OData `$filter` subset used by the Web PubSub REST API to pick connections
// (docs/protocol.md#odata-filters). Tokenizer -> recursive-descent parser with static type
// checks -> tree-walking evaluator. Parsing is done once per REST call and the
// compiled filter is evaluated for every connection of the hub.
import { WebPubSubError } from "../core/index.js";

/** A filter that does not parse or type-check. `position` is a 0-based character offset into the filter text. */
export class FilterSyntaxError extends WebPubSubError {
  /** 0-based character offset of the offending token. */
  readonly position: number;

  constructor(position: number, detail: string) {
    super("WPS_ERR_FILTER", `Invalid filter at position ${position}: ${detail}`);
    this.name = "FilterSyntaxError";
    this.position = position;
  }
}

/** The connection a filter is evaluated against. */
export interface FilterSubject {
  userId: string | null;
  connectionId: string;
  groups: ReadonlySet<string>;
  /** The negotiated subprotocol, or null for a raw WebSocket. */
  protocol: string | null;
}

/** A parsed, type-checked filter. Create with {@link parseFilter}. */
export interface CompiledFilter {
  readonly source: string;
}

/** Longest filter text accepted. The docs advise ~100 clauses; this leaves generous room. */
export const MAX_FILTER_LENGTH = 16_384;
/** Most syntax nodes (literals, identifiers, operators, calls) in one filter. */
export const MAX_FILTER_NODES = 1_000;
/** Deepest nesting of parentheses, `not` and function calls. Keeps recursion far from the stack limit. */
export const MAX_FILTER_DEPTH = 50;

// ---------------------------------------------------------------------------
// Types and AST

type StaticType = "string" | "int" | "bool" | "null" | "collection";
type Value = string | number | boolean | null | ReadonlySet<string>;
type IdentifierName = "userId" | "connectionId" | "groups" | "protocol";
type ComparisonOp = "eq" | "ne" | "gt" | "ge" | "lt" | "le";
type FunctionName =
  | "tolower"
  | "toupper"
  | "trim"
  | "substring"
  | "concat"
  | "contains"
  | "startswith"
  | "endswith"
  | "indexof"
  | "length";

type Node =
  | { kind: "literal"; pos: number; type: StaticType; value: string | number | boolean | null }
  | { kind: "identifier"; pos: number; type: StaticType; name: IdentifierName }
  | { kind: "call"; pos: number; type: StaticType; fn: FunctionName; args: Node[] }
  | { kind: "not"; pos: number; type: "bool"; operand: Node }
  | { kind: "and" | "or"; pos: number; type: "bool"; operands: Node[] }
  | { kind: "compare"; pos: number; type: "bool"; op: ComparisonOp; left: Node; right: Node }
  | { kind: "inList"; pos: number; type: "bool"; left: Node; items: Node[] }
  | { kind: "inCollection"; pos: number; type: "bool"; left: Node; collection: Node };

const IDENTIFIERS: ReadonlyMap<string, { name: IdentifierName; type: StaticType }> = new Map([
  ["userid", { name: "userId", type: "string" }],
  ["connectionid", { name: "connectionId", type: "string" }],
  ["groups", { name: "groups", type: "collection" }],
  ["protocol", { name: "protocol", type: "string" }],
]);

// Parameter kinds: "s" string (or null), "i" int (or null), "sc" string or collection.
interface FunctionSignature {
  params: ("s" | "i" | "sc")[];
  optional: number; // how many trailing params may be left out
  returns: StaticType;
}

const FUNCTIONS: ReadonlyMap<string, FunctionSignature> = new Map<FunctionName, FunctionSignature>([
  ["tolower", { params: ["s"], optional: 0, returns: "string" }],
  ["toupper", { params: ["s"], optional: 0, returns: "string" }],
  ["trim", { params: ["s"], optional: 0, returns: "string" }],
  ["substring", { params: ["s", "i", "i"], optional: 1, returns: "string" }],
  ["concat", { params: ["s", "s"], optional: 0, returns: "string" }],
  ["contains", { params: ["s", "s"], optional: 0, returns: "bool" }],
  ["startswith", { params: ["s", "s"], optional: 0, returns: "bool" }],
  ["endswith", { params: ["s", "s"], optional: 0, returns: "bool" }],
  ["indexof", { params: ["s", "s"], optional: 0, returns: "int" }],
  ["length", { params: ["sc"], optional: 0, returns: "int" }],
]);

const COMPARISONS: ReadonlySet<string> = new Set(["eq", "ne", "gt", "ge", "lt", "le"]);
const RESERVED: ReadonlySet<string> = new Set(["and", "or", "not", "in", "eq", "ne", "gt", "ge", "lt", "le"]);

// ---------------------------------------------------------------------------
// Tokenizer

type Token =
  | { kind: "word"; pos: number; text: string; lower: string }
  | { kind: "string"; pos: number; text: string; value: string }
  | { kind: "int"; pos: number; text: string; value: number }
  | { kind: "(" | ")" | "," | "eof"; pos: number; text: string };

function isWordStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c, pos: i, text: c });
      i++;
    } else if (c === "'") {
      const start = i;
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError(start, "unterminated string literal; expected a closing quote (')");
        const d = text[i] as string;
        if (d === "'") {
          // OData escapes a quote inside a literal by doubling it.
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: "string", pos: start, text: text.slice(start, i), value });
    } else if (isDigit(c) || (c === "-" && isDigit(text[i + 1]))) {
      const start = i;
      i++;
      while (isDigit(text[i])) i++;
      const literal = text.slice(start, i);
      const value = Number(literal);
      if (!Number.isSafeInteger(value)) {
        throw new FilterSyntaxError(start, `integer literal ${literal} is out of range`);
      }
      if (i < text.length && isWordStart(text[i] as string)) {
        throw new FilterSyntaxError(i, `unexpected '${text[i]}' after number ${literal}; only integer literals are supported`);
      }
      tokens.push({ kind: "int", pos: start, text: literal, value });
    } else if (isWordStart(c)) {
      const start = i;
      i++;
      while (i < text.length && (isWordStart(text[i] as string) || isDigit(text[i]))) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: "word", pos: start, text: word, lower: word.toLowerCase() });
    } else {
      throw new FilterSyntaxError(i, `unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: "eof", pos: text.length, text: "" });
  return tokens;
}

function describe(token: Token): string {
  switch (token.kind) {
    case "eof":
      return "the end of the filter";
    case "string":
      return `string ${token.text.length > 40 ? token.text.slice(0, 37) + "..." : token.text}`;
    case "int":
      return `number ${token.text}`;
    default:
      return `'${token.text}'`;
  }
}

// ---------------------------------------------------------------------------
// Parser

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private nodes = 0;
  private depth = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  parse(): Node {
    const root = this.parseOr();
    const next = this.peek();
    if (next.kind !== "eof") {
      const hint = next.kind === "word" && COMPARISONS.has(next.lower)
        ? "comparisons cannot be chained; add parentheses"
        : "expected 'and', 'or' or the end of the filter";
      this.fail(next, `unexpected ${describe(next)}; ${hint}`);
    }
    if (root.type !== "bool") {
      throw new FilterSyntaxError(root.pos, `the filter must be a boolean expression, but it is of type ${root.type}`);
    }
    return root;
  }

  private peek(): Token {
    return this.tokens[this.index] as Token;
  }

  private peekAt(offset: number): Token {
    return (this.tokens[this.index + offset] ?? this.tokens[this.tokens.length - 1]) as Token;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.index++;
    return token;
  }

  private isWord(token: Token, word: string): boolean {
    return token.kind === "word" && token.lower === word;
  }

  private expect(kind: "(" | ")" | ",", what: string): Token {
    const token = this.peek();
    if (token.kind !== kind) this.fail(token, `expected ${what} but found ${describe(token)}`);
    return this.advance();
  }

  private fail(token: Token, detail: string): never {
    throw new FilterSyntaxError(token.pos, detail);
  }

  private count<T extends Node>(node: T): T {
    if (++this.nodes > MAX_FILTER_NODES) {
      throw new FilterSyntaxError(node.pos, `the filter is too complex (more than ${MAX_FILTER_NODES} terms)`);
    }
    return node;
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_FILTER_DEPTH) {
      this.fail(token, `the filter is nested too deeply (more than ${MAX_FILTER_DEPTH} levels)`);
    }
  }

  private leave(): void {
    this.depth--;
  }

  private requireBool(node: Node, operator: string): void {
    if (node.type !== "bool") {
      throw new FilterSyntaxError(node.pos, `'${operator}' needs a boolean operand, but this operand is of type ${node.type}`);
    }
  }

  // or := and ('or' and)*
  private parseOr(): Node {
    return this.parseChain("or", () => this.parseAnd());
  }

  // and := comparison ('and' comparison)*
  private parseAnd(): Node {
    return this.parseChain("and", () => this.parseComparison());
  }

  // One operand, or several boolean ones joined by `word`, kept flat.
  private parseChain(word: "and" | "or", operand: () => Node): Node {
    const first = operand();
    if (!this.isWord(this.peek(), word)) return first;
    this.requireBool(first, word);
    const operands = [first];
    while (this.isWord(this.peek(), word)) {
      this.advance();
      const next = operand();
      this.requireBool(next, word);
      operands.push(next);
    }
    return this.count({ kind: word, pos: first.pos, type: "bool", operands });
  }

  // comparison := unary [ (eq|ne|gt|ge|lt|le) unary | 'in' inTarget ]
  private parseComparison(): Node {
    const left = this.parseUnary();
    const opToken = this.peek();
    if (opToken.kind !== "word") return left;
    if (COMPARISONS.has(opToken.lower)) {
      this.advance();
      const op = opToken.lower as ComparisonOp;
      const right = this.parseUnary();
      this.checkComparison(op, opToken, left, right);
      return this.count({ kind: "compare", pos: left.pos, type: "bool", op, left, right });
    }
    if (opToken.lower === "in") {
      this.advance();
      return this.parseInTarget(left, opToken);
    }
    return left;
  }

  private checkComparison(op: ComparisonOp, opToken: Token, left: Node, right: Node): void {
    if (op === "eq" || op === "ne") {
      for (const side of [left, right]) {
        if (side.type === "collection") {
          throw new FilterSyntaxError(side.pos, `'${op}' cannot compare a collection; use 'in' to test membership`);
        }
      }
      if (left.type !== right.type && left.type !== "null" && right.type !== "null") {
        this.fail(opToken, `'${op}' cannot compare ${left.type} with ${right.type}`);
      }
      return;
    }
    // Ordering is defined on integers only (docs/protocol.md#odata-filters); null makes the result false at run time.
    for (const side of [left, right]) {
      if (side.type !== "int" && side.type !== "null") {
        throw new FilterSyntaxError(side.pos, `'${op}' compares integers only, but this operand is of type ${side.type}`);
      }
    }
  }

  private parseInTarget(left: Node, inToken: Token): Node {
    if (left.type === "collection") {
      throw new FilterSyntaxError(left.pos, "the left side of 'in' must be a single value, not a collection");
    }
    const open = this.peek();
    if (open.kind === "(") {
      this.enter(open);
      this.advance();
      const items: Node[] = [this.parseOr()];
      while (this.peek().kind === ",") {
        this.advance();
        items.push(this.parseOr());
      }
      this.expect(")", "',' or ')' in the 'in' list");
      this.leave();
      // `'g1' in (groups)`: a single parenthesized collection is the collection form.
      const only = items[0] as Node;
      if (items.length === 1 && only.type === "collection") {
        return this.inCollection(left, only, inToken);
      }
      for (const item of items) {
        if (item.type === "collection") {
          throw new FilterSyntaxError(item.pos, "an 'in' list may hold only single values, not a collection");
        }
        if (item.type !== left.type && item.type !== "null" && left.type !== "null") {
          throw new FilterSyntaxError(item.pos, `'in' cannot compare ${left.type} with ${item.type}`);
        }
      }
      return this.count({ kind: "inList", pos: left.pos, type: "bool", left, items });
    }
    const target = this.parseUnary();
    if (target.type !== "collection") {
      throw new FilterSyntaxError(target.pos, `'in' needs a parenthesized list or a collection such as groups, but found ${target.type}`);
    }
    return this.inCollection(left, target, inToken);
  }

  private inCollection(left: Node, collection: Node, inToken: Token): Node {
    if (left.type !== "string" && left.type !== "null") {
      this.fail(inToken, `a collection holds strings, so the left side of 'in' must be a string, not ${left.type}`);
    }
    return this.count({ kind: "inCollection", pos: left.pos, type: "bool", left, collection });
  }

  // unary := 'not' unary | primary   ('not' binds tighter than comparisons, docs/protocol.md#odata-filters)
  private parseUnary(): Node {
    const token = this.peek();
    if (this.isWord(token, "not")) {
      this.enter(token);
      this.advance();
      const operand = this.parseUnary();
      this.leave();
      this.requireBool(operand, "not");
      return this.count({ kind: "not", pos: token.pos, type: "bool", operand });
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const token = this.peek();
    switch (token.kind) {
      case "string":
        this.advance();
        return this.count({ kind: "literal", pos: token.pos, type: "string", value: token.value });
      case "int":
        this.advance();
        return this.count({ kind: "literal", pos: token.pos, type: "int", value: token.value });
      case "(": {
        this.enter(token);
        this.advance();
        const inner = this.parseOr();
        this.expect(")", "')'");
        this.leave();
        return inner;
      }
      case "word":
        return this.parseWord(token);
      default:
        this.fail(token, `expected a value, identifier, function call or '(' but found ${describe(token)}`);
    }
  }

  private parseWord(token: Token & { kind: "word" }): Node {
    const word = token.lower;
    if (word === "true" || word === "false") {
      this.advance();
      return this.count({ kind: "literal", pos: token.pos, type: "bool", value: word === "true" });
    }
    if (word === "null") {
      this.advance();
      return this.count({ kind: "literal", pos: token.pos, type: "null", value: null });
    }
    const identifier = IDENTIFIERS.get(word);
    if (identifier) {
      this.advance();
      return this.count({ kind: "identifier", pos: token.pos, type: identifier.type, name: identifier.name });
    }
    const signature = FUNCTIONS.get(word);
    if (signature) return this.parseCall(token, word as FunctionName, signature);
    if (RESERVED.has(word)) {
      this.fail(token, `expected a value, identifier, function call or '(' but found ${describe(token)}`);
    }
    if (this.peekAt(1).kind === "(") {
      this.fail(token, `unknown function '${token.text}'; expected one of ${[...FUNCTIONS.keys()].join(", ")}`);
    }
    this.fail(token, `unknown identifier '${token.text}'; expected userId, connectionId, groups or protocol`);
  }

  private parseCall(nameToken: Token, fn: FunctionName, signature: FunctionSignature): Node {
    this.advance();
    const open = this.peek();
    if (open.kind !== "(") this.fail(open, `expected '(' after function '${fn}' but found ${describe(open)}`);
    this.enter(open);
    this.advance();
    const args: Node[] = [];
    if (this.peek().kind !== ")") {
      args.push(this.parseOr());
      while (this.peek().kind === ",") {
        this.advance();
        args.push(this.parseOr());
      }
    }
    const close = this.expect(")", `',' or ')' in the arguments of '${fn}'`);
    this.leave();

    const max = signature.params.length;
    const min = max - signature.optional;
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : `${min} or ${max}`;
      throw new FilterSyntaxError(
        args.length > max ? (args[max] as Node).pos : close.pos,
        `'${fn}' takes ${expected} argument${max === 1 ? "" : "s"} but got ${args.length}`,
      );
    }
    args.forEach((arg, i) => {
      const param = signature.params[i];
      const ok =
        arg.type === "null" ||
        (param === "s" && arg.type === "string") ||
        (param === "i" && arg.type === "int") ||
        (param === "sc" && (arg.type === "string" || arg.type === "collection"));
      if (!ok) {
        const wanted = param === "s" ? "string" : param === "i" ? "int" : "string or collection";
        throw new FilterSyntaxError(arg.pos, `argument ${i + 1} of '${fn}' must be ${wanted}, not ${arg.type}`);
      }
    });
    return this.count({ kind: "call", pos: nameToken.pos, type: signature.returns, fn, args });
  }
}

class CompiledFilterImpl implements CompiledFilter {
  constructor(
    readonly source: string,
    readonly root: Node,
  ) {}
}

/**
 * Parses and type-checks an OData filter. Throws {@link FilterSyntaxError} (a 400 for
 * REST callers) naming the position of the problem. An empty filter is an error here;
 * callers that treat "no filter" as "everything" check for that first.
 */
export function parseFilter(text: string): CompiledFilter {
  if (typeof text !== "string") throw new TypeError("filter must be a string");
  if (text.length > MAX_FILTER_LENGTH) {
    throw new FilterSyntaxError(MAX_FILTER_LENGTH, `the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  }
  return new CompiledFilterImpl(text, new Parser(text).parse());
}

// ---------------------------------------------------------------------------
// Evaluator

/** True when the connection matches. Only a boolean `true` result matches. */
export function evaluateFilter(filter: CompiledFilter, subject: FilterSubject): boolean {
  if (!(filter instanceof CompiledFilterImpl)) throw new TypeError("evaluateFilter needs a filter from parseFilter()");
  return evaluate(filter.root, subject) === true;
}

function evaluate(node: Node, subject: FilterSubject): Value {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "identifier":
      return subject[node.name];
    case "not":
      return evaluate(node.operand, subject) !== true;
    case "and":
      return node.operands.every((operand) => evaluate(operand, subject) === true);
    case "or":
      return node.operands.some((operand) => evaluate(operand, subject) === true);
    case "compare":
      return compare(node.op, evaluate(node.left, subject), evaluate(node.right, subject));
    case "inList": {
      const value = evaluate(node.left, subject);
      return node.items.some((item) => evaluate(item, subject) === value);
    }
    case "inCollection": {
      const value = evaluate(node.left, subject);
      const collection = evaluate(node.collection, subject);
      return typeof value === "string" && collection instanceof Set && collection.has(value);
    }
    case "call":
      return call(node.fn, node.args.map((arg) => evaluate(arg, subject)));
  }
}

function compare(op: ComparisonOp, left: Value, right: Value): boolean {
  // eq/ne treat null as a value: `userId eq null` matches anonymous connections,
  // `userId ne 'a'` matches them too (OData equality semantics).
  if (op === "eq") return left === right;
  if (op === "ne") return left !== right;
  // Ordering against null is false (docs/protocol.md#odata-filters: comparisons against null are false).
  if (typeof left !== "number" || typeof right !== "number") return false;
  switch (op) {
    case "gt":
      return left > right;
    case "ge":
      return left >= right;
    case "lt":
      return left < right;
    case "le":
      return left <= right;
  }
}

function call(fn: FunctionName, args: Value[]): Value {
  const [a, b, c] = args;
  // Predicates on a missing value are false rather than null, so the documented
  // `not endswith(userId, 'milk')` selects anonymous connections instead of failing.
  if (fn === "contains" || fn === "startswith" || fn === "endswith") {
    if (typeof a !== "string" || typeof b !== "string") return false;
    return fn === "contains" ? a.includes(b) : fn === "startswith" ? a.startsWith(b) : a.endsWith(b);
  }
  if (fn === "length") {
    if (typeof a === "string") return a.length;
    if (a instanceof Set) return a.size;
    return null;
  }
  // Everything else propagates null, e.g. tolower(null) is null.
  if (args.some((value) => value === null)) return null;
  switch (fn) {
    case "tolower":
      return (a as string).toLowerCase();
    case "toupper":
      return (a as string).toUpperCase();
    case "trim":
      return (a as string).trim();
    case "concat":
      return (a as string) + (b as string);
    case "indexof":
      return (a as string).indexOf(b as string);
    case "substring": {
      // Out-of-range bounds clamp instead of failing (a filter runs per connection,
      // so a throw would abort the whole send).
      const s = a as string;
      const start = Math.min(Math.max(b as number, 0), s.length);
      if (c === undefined) return s.slice(start);
      const count = Math.max(c as number, 0);
      return s.slice(start, start + count);
    }
  }
}
