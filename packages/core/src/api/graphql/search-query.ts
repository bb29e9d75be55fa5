/**
 * The free-text `query` argument in orchestrator-core's search syntax (utils/search_query.py), parsed here by a
 * recursive-descent parser of our own and turned into one SQL condition:
 *
 *   query  := and ('|' and)*          a | b      either
 *   and    := term*                   a b        both
 *   term   := ['-'] (group | kv | value)          -a         not
 *   group  := '(' query ')'
 *   kv     := value ':' (value | '(' value ('|' value)* ')')   status:active, tag:(A|B)
 *   value  := '"' words '"' | word ['*']                       a phrase, a word, a prefix (word*)
 *
 * `key:value` is the filter of that key (the same as `filterBy`; an unknown key matches nothing); a bare word must
 * equal one of the list's text columns, case-insensitively (orchestrator-core's default `exact` mode; `word*` for a
 * prefix), or for subscriptions be contained in one.
 */
import { sql, type SqlBool } from "kysely";
import { snakeCase, type Filter } from "../list-query.js";
import type { Condition } from "../queries/conditions.js";
import { parseFilterValue } from "./arguments.js";
import { badRequest } from "./errors.js";

/** The longest query accepted (orchestrator-core's limit). */
export const MAX_QUERY_LENGTH = 512;

interface Value {
  text: string;
  prefix: boolean;
}

type Node =
  | { kind: "or"; items: Node[] }
  | { kind: "and"; items: Node[] }
  | { kind: "not"; item: Node }
  | { kind: "kv"; key: string; values: Value[] }
  | { kind: "value"; value: Value };

type Token = { type: "(" | ")" | "|" | ":" | "-" | "*" } | { type: "word" | "phrase"; text: string };

const WORD_END = /[()|!:<>*"\s]/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw badRequest(`Invalid query: the quote at position ${i} is not closed`);
      tokens.push({ type: "phrase", text: text.slice(i + 1, end).trim().replace(/\s+/g, " ") });
      i = end + 1;
    } else if ("()|:*".includes(c)) {
      tokens.push({ type: c as "(" });
      i++;
    } else if (c === "-" && (tokens.length === 0 || text[i - 1] === undefined || /[\s(|]/.test(text[i - 1]!))) {
      // a '-' that starts a term negates it; inside a word it is part of it
      tokens.push({ type: "-" });
      i++;
    } else if ("!<>".includes(c)) {
      throw badRequest(`Invalid query: unexpected '${c}' at position ${i}`);
    } else {
      let end = i;
      while (end < text.length && !WORD_END.test(text[end]!)) end++;
      tokens.push({ type: "word", text: text.slice(i, end) });
      i = end;
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.query();
    if (this.at < this.tokens.length) throw badRequest(`Invalid query: unexpected '${this.describe(this.tokens[this.at]!)}'`);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private query(): Node {
    const items = [this.and()];
    while (this.peek()?.type === "|") {
      this.at++;
      items.push(this.and());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  }

  private and(): Node {
    const items: Node[] = [];
    for (let t = this.peek(); t && t.type !== "|" && t.type !== ")"; t = this.peek()) items.push(this.term());
    if (items.length === 0) throw badRequest("Invalid query: an empty term (around '|' or '()')");
    return items.length === 1 ? items[0]! : { kind: "and", items };
  }

  private term(): Node {
    if (this.peek()?.type === "-") {
      this.at++;
      return { kind: "not", item: this.term() };
    }
    if (this.peek()?.type === "(") {
      this.at++;
      const inner = this.query();
      this.expect(")");
      return inner;
    }
    const value = this.value();
    if (this.peek()?.type !== ":") return { kind: "value", value };
    this.at++;
    if (value.prefix) throw badRequest(`Invalid query: a key cannot end in '*' (${value.text}*)`);
    if (this.peek()?.type !== "(") return { kind: "kv", key: value.text, values: [this.value()] };
    this.at++;
    const values = [this.value()];
    while (this.peek()?.type === "|") {
      this.at++;
      values.push(this.value());
    }
    this.expect(")");
    return { kind: "kv", key: value.text, values };
  }

  private value(): Value {
    const token = this.tokens[this.at++];
    if (!token || (token.type !== "word" && token.type !== "phrase")) throw badRequest(`Invalid query: expected a word ${token ? `instead of '${this.describe(token)}'` : "at the end"}`);
    const prefix = token.type === "word" && this.peek()?.type === "*";
    if (prefix) this.at++;
    return { text: token.text, prefix };
  }

  private expect(type: ")") {
    if (this.peek()?.type !== type) throw badRequest(`Invalid query: '${type}' expected`);
    this.at++;
  }

  private describe(token: Token): string {
    return "text" in token ? token.text : token.type;
  }
}

/** How a list answers the parts of a query. */
export interface QueryTarget {
  /** The condition of `key:value` (key snake_case), or undefined for a key the list does not know. */
  condition(filter: Filter): Condition | undefined;
  /** Columns a bare word is compared with (qualified, any type: compared as text). */
  textColumns: readonly string[];
  /** `exact`: a bare word equals a column (a prefix with `*`); `contains`: it is contained in one. */
  words: "exact" | "contains";
}

/** The query's condition, or undefined for an empty query. Throws a `bad_request` error for one that does not parse. */
export function queryCondition(text: string | null | undefined, target: QueryTarget): Condition | undefined {
  if (!text || text.trim() === "") return undefined;
  if (text.length > MAX_QUERY_LENGTH) throw badRequest(`Invalid query: longer than ${MAX_QUERY_LENGTH} characters`);
  return toSql(new Parser(tokenize(text)).parse(), target);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function toSql(node: Node, target: QueryTarget): Condition {
  switch (node.kind) {
    case "or":
      return sql<SqlBool>`(${sql.join(node.items.map((n) => toSql(n, target)), sql` OR `)})`;
    case "and":
      return sql<SqlBool>`(${sql.join(node.items.map((n) => toSql(n, target)), sql` AND `)})`;
    case "not":
      return sql<SqlBool>`NOT COALESCE(${toSql(node.item, target)}, false)`;
    case "kv": {
      const field = snakeCase(node.key);
      const value = node.values.map((v) => (v.prefix ? `${v.text}*` : v.text)).join("|");
      try {
        const filter: Filter = { ...parseFilterValue(field, value), values: node.values.map((v) => (v.prefix ? `${v.text}*` : v.text)) };
        return target.condition(filter) ?? sql<SqlBool>`false`;
      } catch {
        // a value the key cannot take (not a UUID, not a boolean) matches nothing
        return sql<SqlBool>`false`;
      }
    }
    case "value": {
      const { text, prefix } = node.value;
      const pattern = target.words === "contains" ? `%${escapeLike(text)}%` : prefix ? `${escapeLike(text)}%` : escapeLike(text);
      const columns = target.textColumns.map((c) => sql<SqlBool>`${sql.ref(c)}::text ILIKE ${pattern}`);
      return sql<SqlBool>`(${sql.join(columns, sql` OR `)})`;
    }
  }
}
