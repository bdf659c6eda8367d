import assert from "node:assert/strict";
import {
  evaluateFilter,
  FilterSyntaxError,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_NODES,
  parseFilter,
  type FilterSubject,
} from "../../src/emulator/filter.js";

function subject(overrides: Partial<FilterSubject> = {}): FilterSubject {
  return {
    userId: "user1",
    connectionId: "conn-A",
    groups: new Set(["g1", "room.x"]),
    protocol: "json.webpubsub.azure.v1",
    ...overrides,
  };
}

const anonymous = subject({ userId: null, groups: new Set(), protocol: null });

function matches(filter: string, s: FilterSubject = subject()): boolean {
  return evaluateFilter(parseFilter(filter), s);
}

/** Asserts the filter is rejected at `position` with a message containing `fragment`. */
function rejects(filter: string, position: number, fragment: string | RegExp): void {
  assert.throws(
    () => parseFilter(filter),
    (err: unknown) => {
      assert.ok(err instanceof FilterSyntaxError, `expected FilterSyntaxError, got ${String(err)}`);
      assert.equal(err.position, position, `position in: ${err.message}`);
      if (typeof fragment === "string") assert.ok(err.message.includes(fragment), err.message);
      else assert.match(err.message, fragment);
      assert.ok(err.message.includes(`position ${position}`), err.message);
      return true;
    },
  );
}

describe("filter", () => {
  describe("identifiers", () => {
    it("compares userId to a string", () => {
      assert.equal(matches("userId eq 'user1'"), true);
      assert.equal(matches("userId eq 'user2'"), false);
    });

    it("compares connectionId", () => {
      assert.equal(matches("connectionId ne 'conn-A'"), false);
      assert.equal(matches("connectionId ne 'conn-B'"), true);
    });

    it("compares protocol, which is null for raw connections", () => {
      assert.equal(matches("protocol eq 'json.webpubsub.azure.v1'"), true);
      assert.equal(matches("protocol eq null", anonymous), true);
      assert.equal(matches("protocol eq null"), false);
    });

    it("treats identifier names case-insensitively", () => {
      assert.equal(matches("USERID eq 'user1' and ConnectionID eq 'conn-A' and 'g1' in GROUPS"), true);
    });

    it("compares values case-sensitively", () => {
      assert.equal(matches("userId eq 'USER1'"), false);
    });

    it("accepts operators and literals in any case", () => {
      assert.equal(matches("userId EQ 'user1' AND NOT FALSE"), true);
    });
  });

  describe("literals", () => {
    it("unescapes doubled quotes in strings", () => {
      assert.equal(matches("userId eq 'o''brien'", subject({ userId: "o'brien" })), true);
      assert.equal(matches("userId eq 'o''brien'", subject({ userId: "o''brien" })), false);
    });

    it("reads a string made only of an escaped quote", () => {
      assert.equal(matches("userId eq ''''", subject({ userId: "'" })), true);
    });

    it("reads the empty string", () => {
      assert.equal(matches("userId eq ''", subject({ userId: "" })), true);
      assert.equal(matches("userId eq ''", anonymous), false);
    });

    it("keeps operator words inside strings literal", () => {
      assert.equal(matches("userId eq 'a or b'", subject({ userId: "a or b" })), true);
    });

    it("evaluates true and false", () => {
      assert.equal(matches("true"), true);
      assert.equal(matches("false"), false);
    });

    it("reads negative integers", () => {
      assert.equal(matches("indexof(userId, 'zzz') eq -1"), true);
      assert.equal(matches("-2 lt -1"), true);
    });
  });

  describe("operators", () => {
    it("orders integers with gt ge lt le", () => {
      assert.deepEqual(
        ["gt", "ge", "lt", "le"].map((op) => matches(`length(userId) ${op} 5`)),
        [false, true, false, true],
      );
      assert.deepEqual(
        ["gt", "ge", "lt", "le"].map((op) => matches(`length(userId) ${op} 4`)),
        [true, true, false, false],
      );
    });

    it("tests membership in a literal list", () => {
      assert.equal(matches("userId in ('a', 'user1', 'b')"), true);
      assert.equal(matches("userId in ('a','b')"), false);
    });

    it("tests membership in a one-element list", () => {
      assert.equal(matches("userId in ('user1')"), true);
    });

    it("tests membership in the groups collection", () => {
      assert.equal(matches("'g1' in groups"), true);
      assert.equal(matches("'g2' in groups"), false);
      assert.equal(matches("'G1' in groups"), false);
    });

    it("accepts a parenthesized collection after in", () => {
      assert.equal(matches("'room.x' in (groups)"), true);
    });

    it("tests a computed value against a collection", () => {
      assert.equal(matches("concat('g', '1') in groups"), true);
    });

    it("matches null in a list containing null", () => {
      assert.equal(matches("userId in ('a', null)", anonymous), true);
      assert.equal(matches("userId in ('a', null)"), false);
    });

    it("never finds null in a collection", () => {
      assert.equal(matches("userId in groups", anonymous), false);
    });

    it("compares booleans with eq", () => {
      assert.equal(matches("startswith(userId, 'user') eq true"), true);
      assert.equal(matches("(userId eq 'x') eq false"), true);
    });
  });

  describe("precedence", () => {
    it("binds and tighter than or", () => {
      // true or (false and false) = true; (true or false) and false = false
      assert.equal(matches("true or false and false"), true);
      assert.equal(matches("false and false or true"), true);
    });

    it("honours parentheses over and/or precedence", () => {
      assert.equal(matches("(true or false) and false"), false);
    });

    it("binds comparisons tighter than and/or", () => {
      assert.equal(matches("userId eq 'x' or userId eq 'user1' and connectionId eq 'conn-A'"), true);
      assert.equal(matches("userId eq 'user1' and connectionId eq 'nope' or false"), false);
    });

    it("binds not tighter than and", () => {
      // (not false) and false = false; not (false and false) = true
      assert.equal(matches("not false and false"), false);
      assert.equal(matches("not (false and false)"), true);
    });

    it("binds not tighter than comparisons, so 'not userId eq x' is a type error", () => {
      rejects("not userId eq 'x'", 4, "'not' needs a boolean operand");
    });

    it("applies nested nots", () => {
      assert.equal(matches("not not true"), true);
      assert.equal(matches("not not not true"), false);
    });

    it("evaluates the documented example", () => {
      const f = "userId eq 'user1' or (not (startswith(userId, 'user')))";
      assert.equal(matches(f), true);
      assert.equal(matches(f, subject({ userId: "user2" })), false);
      assert.equal(matches(f, subject({ userId: "admin" })), true);
    });
  });

  describe("null semantics", () => {
    it("matches 'userId eq null' for anonymous connections only", () => {
      assert.equal(matches("userId eq null", anonymous), true);
      assert.equal(matches("userId eq null"), false);
      assert.equal(matches("null eq userId", anonymous), true);
    });

    it("matches 'userId ne null' for identified connections only", () => {
      assert.equal(matches("userId ne null"), true);
      assert.equal(matches("userId ne null", anonymous), false);
    });

    it("treats a missing userId as unequal to any string", () => {
      assert.equal(matches("userId eq 'user1'", anonymous), false);
      assert.equal(matches("userId ne 'user1'", anonymous), true);
    });

    it("gives null for length(null), and ordering against null is false", () => {
      for (const op of ["gt", "ge", "lt", "le"]) {
        assert.equal(matches(`length(userId) ${op} 0`, anonymous), false, op);
      }
      assert.equal(matches("length(userId) eq null", anonymous), true);
    });

    it("propagates null through string functions", () => {
      assert.equal(matches("tolower(userId) eq null", anonymous), true);
      assert.equal(matches("concat(userId, 'x') eq null", anonymous), true);
      assert.equal(matches("substring(userId, 1) eq null", anonymous), true);
      assert.equal(matches("indexof(userId, 'a') eq null", anonymous), true);
    });

    it("makes predicates on null false, so their negation is true", () => {
      assert.equal(matches("endswith(userId, 'milk')", anonymous), false);
      assert.equal(matches("not endswith(userId, 'milk')", anonymous), true);
      assert.equal(matches("contains(userId, '')", anonymous), false);
      assert.equal(matches("startswith(userId, 'a') eq false", anonymous), true);
    });

    it("orders null literals as false", () => {
      assert.equal(matches("1 gt null"), false);
      assert.equal(matches("not (1 gt null)"), true);
    });

    it("accepts null eq null", () => {
      assert.equal(matches("null eq null"), true);
    });
  });

  describe("functions", () => {
    const s = subject({ userId: "  Hello World  " });

    it("lower-cases, upper-cases and trims", () => {
      assert.equal(matches("tolower(userId) eq '  hello world  '", s), true);
      assert.equal(matches("toupper(userId) eq '  HELLO WORLD  '", s), true);
      assert.equal(matches("trim(userId) eq 'Hello World'", s), true);
    });

    it("takes substrings with and without a length", () => {
      assert.equal(matches("substring(userId, 2) eq 'er1'"), true);
      assert.equal(matches("substring(userId, 1, 2) eq 'se'"), true);
    });

    it("clamps substring bounds instead of failing", () => {
      assert.equal(matches("substring(userId, 99) eq ''"), true);
      assert.equal(matches("substring(userId, -3, 2) eq 'us'"), true);
      assert.equal(matches("substring(userId, 1, -1) eq ''"), true);
    });

    it("concatenates", () => {
      assert.equal(matches("concat(userId, connectionId) eq 'user1conn-A'"), true);
    });

    it("tests contains, startswith and endswith", () => {
      assert.equal(matches("contains(userId, 'ser')"), true);
      assert.equal(matches("contains(userId, 'xyz')"), false);
      assert.equal(matches("startswith(userId, 'use')"), true);
      assert.equal(matches("startswith(userId, 'ser')"), false);
      assert.equal(matches("endswith(userId, 'r1')"), true);
      assert.equal(matches("endswith(userId, 'user')"), false);
    });

    it("finds indexes", () => {
      assert.equal(matches("indexof(userId, 'er') eq 2"), true);
      assert.equal(matches("indexof(userId, 'q') eq -1"), true);
    });

    it("measures strings and the groups collection", () => {
      assert.equal(matches("length(userId) eq 5"), true);
      assert.equal(matches("length(groups) eq 2"), true);
      assert.equal(matches("length(groups) eq 0", anonymous), true);
    });

    it("treats function names case-insensitively", () => {
      assert.equal(matches("ToLower(userId) eq 'user1' and StartsWith(userId, 'u')"), true);
    });

    it("nests calls", () => {
      assert.equal(matches("length(trim(concat(' ', userId))) eq 5"), true);
    });
  });

  describe("syntax errors", () => {
    it("reports an unterminated string at its opening quote", () => {
      rejects("userId eq 'abc", 10, "unterminated string");
    });

    it("reports a missing closing parenthesis at the end", () => {
      rejects("(userId eq 'a'", 14, "expected ')'");
    });

    it("reports a stray closing parenthesis", () => {
      rejects("userId eq 'a')", 13, "unexpected ')'");
    });

    it("reports a missing right operand", () => {
      rejects("userId eq", 9, "expected a value");
    });

    it("reports a dangling and", () => {
      rejects("userId eq 'a' and", 17, "the end of the filter");
    });

    it("reports an unexpected character", () => {
      rejects("userId == 'a'", 7, "unexpected character '='");
    });

    it("reports an empty filter", () => {
      rejects("", 0, "expected a value");
      rejects("   ", 3, "expected a value");
    });

    it("reports an unknown identifier with its position", () => {
      rejects("userName eq 'a'", 0, "unknown identifier 'userName'");
      rejects("userId eq 'a' or role eq 'b'", 17, "unknown identifier 'role'");
    });

    it("reports an unknown function with its position", () => {
      rejects("matches(userId, 'a.*')", 0, "unknown function 'matches'");
    });

    it("reports a function name not followed by '('", () => {
      rejects("length eq 3", 7, "expected '(' after function 'length'");
    });

    it("reports two operands with no operator", () => {
      rejects("userId eq 'a' 'b'", 14, "expected 'and', 'or'");
    });

    it("rejects chained comparisons", () => {
      rejects("userId eq 'a' eq true", 14, "cannot be chained");
    });

    it("reports a keyword where a value belongs", () => {
      rejects("userId eq and", 10, "found 'and'");
    });

    it("reports a missing comma in an in list", () => {
      rejects("userId in ('a' 'b')", 15, "',' or ')'");
    });

    it("rejects decimal numbers", () => {
      rejects("length(userId) gt 1.5", 19, "unexpected character '.'");
    });

    it("rejects integers beyond the safe range", () => {
      rejects("length(userId) gt 99999999999999999999", 18, "out of range");
    });

    it("rejects double-quoted strings", () => {
      rejects('userId eq "a"', 10, "unexpected character '\"'");
    });
  });

  describe("type errors", () => {
    it("rejects a non-boolean filter", () => {
      rejects("userId", 0, "must be a boolean expression");
      rejects("'abc'", 0, "of type string");
      rejects("length(userId)", 0, "of type int");
      rejects("null", 0, "of type null");
    });

    it("rejects 'not' on a non-boolean, naming the operand type", () => {
      rejects("not length(userId)", 4, "of type int");
    });

    it("rejects non-boolean operands of and/or", () => {
      rejects("userId and true", 0, "'and' needs a boolean operand");
      rejects("true or 'x'", 8, "'or' needs a boolean operand");
    });

    it("rejects ordering comparisons on strings", () => {
      rejects("userId gt 'a'", 0, "compares integers only");
      rejects("length(userId) lt 'a'", 18, "compares integers only");
    });

    it("rejects equality between different types at the operator", () => {
      rejects("userId eq 1", 7, "cannot compare string with int");
      rejects("length(userId) ne true", 15, "cannot compare int with bool");
    });

    it("rejects eq on a collection", () => {
      rejects("groups eq 'g1'", 0, "use 'in'");
    });

    it("rejects 'in' with a non-collection right side", () => {
      rejects("'g1' in userId", 8, "parenthesized list or a collection");
    });

    it("rejects a collection on the left of 'in'", () => {
      rejects("groups in ('a')", 0, "single value");
    });

    it("rejects a non-string tested against a collection", () => {
      rejects("1 in groups", 2, "must be a string");
    });

    it("rejects mismatched list items", () => {
      rejects("userId in ('a', 2)", 16, "cannot compare string with int");
    });

    it("rejects a collection inside a list", () => {
      rejects("'a' in ('b', groups)", 13, "only single values");
    });

    it("rejects wrong argument counts", () => {
      rejects("length(userId, 'x') eq 1", 15, "takes 1 argument but got 2");
      rejects("contains(userId)", 15, "takes 2 arguments but got 1");
      rejects("substring(userId) eq 'a'", 16, "takes 2 or 3 arguments");
    });

    it("rejects wrong argument types", () => {
      rejects("substring(userId, 'a') eq 'b'", 18, "argument 2 of 'substring' must be int");
      rejects("tolower(groups) eq 'a'", 8, "argument 1 of 'tolower' must be string");
      rejects("length(1) eq 1", 7, "string or collection");
    });
  });

  describe("limits", () => {
    it("rejects deep nesting with a clear error instead of overflowing the stack", () => {
      const deep = "(".repeat(5_000) + "true" + ")".repeat(5_000);
      rejects(deep, MAX_FILTER_DEPTH, "nested too deeply");
    });

    it("accepts nesting up to the limit", () => {
      const ok = "(".repeat(MAX_FILTER_DEPTH) + "true" + ")".repeat(MAX_FILTER_DEPTH);
      assert.equal(matches(ok), true);
    });

    it("rejects long chains of not", () => {
      assert.throws(() => parseFilter("not ".repeat(3_000) + "true"), /nested too deeply/);
    });

    it("rejects more terms than the node limit", () => {
      const clauses = Array.from({ length: 600 }, (_, i) => `userId eq 'u${i}'`).join(" or ");
      assert.throws(() => parseFilter(clauses), (err: unknown) => {
        assert.ok(err instanceof FilterSyntaxError);
        assert.match(err.message, new RegExp(`more than ${MAX_FILTER_NODES} terms`));
        return true;
      });
    });

    it("evaluates a wide but legal filter", () => {
      const clauses = Array.from({ length: 300 }, (_, i) => `userId eq 'u${i}'`).join(" or ");
      assert.equal(matches(clauses, subject({ userId: "u299" })), true);
      assert.equal(matches(clauses, subject({ userId: "u300" })), false);
    });

    it("rejects text longer than the length cap", () => {
      const long = `userId eq '${"a".repeat(MAX_FILTER_LENGTH)}'`;
      rejects(long, MAX_FILTER_LENGTH, "longer than");
    });
  });

  describe("compiled filters", () => {
    it("keeps the source text", () => {
      assert.equal(parseFilter("userId eq 'a'").source, "userId eq 'a'");
    });

    it("is reusable across subjects", () => {
      const f = parseFilter("'g1' in groups and userId ne null");
      assert.equal(evaluateFilter(f, subject()), true);
      assert.equal(evaluateFilter(f, anonymous), false);
      assert.equal(evaluateFilter(f, subject({ groups: new Set(["g2"]) })), false);
    });

    it("refuses objects that did not come from parseFilter", () => {
      assert.throws(() => evaluateFilter({ source: "true" }, subject()), TypeError);
    });
  });
});
