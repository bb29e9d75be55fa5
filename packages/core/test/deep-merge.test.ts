/** deepMerge: how a resume's form input is merged into a process's state (the step runner). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deepMerge } from "../src/workflow/index.js";

describe("deepMerge", () => {
  it("merges nested objects and replaces everything else", () => {
    const merged = deepMerge({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { c: [3], e: null }, d: { f: 1 } });
    assert.deepStrictEqual(merged, { a: { b: 1, c: [3], e: null }, d: { f: 1 } });
  });

  it("keeps a key named __proto__ as data: no prototype is set, nothing is polluted", () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "nested": {"__proto__": {"polluted": true}}}') as Record<string, unknown>;
    const merged = deepMerge({ nested: { kept: 1 } }, input);
    assert.equal(Object.getPrototypeOf(merged), Object.prototype);
    assert.equal(Object.getPrototypeOf(merged.nested), Object.prototype);
    assert.deepStrictEqual(Object.keys(merged), ["nested", "__proto__"]);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(merged, "__proto__")?.value, { polluted: true });
    assert.equal((merged as { polluted?: unknown }).polluted, undefined);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(merged.nested)), JSON.parse('{"kept": 1, "__proto__": {"polluted": true}}'));
    // merged once more, the own __proto__ key merges like any other
    const again = deepMerge(merged, JSON.parse('{"__proto__": {"more": 1}}') as Record<string, unknown>);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(again, "__proto__")?.value, { polluted: true, more: 1 });
  });
});
