import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MigrationError } from "../src/errors.js";
import { RevisionGraph, type RawRevision } from "../src/migrations/graph.js";
import { planDowngrade, planUpgrade } from "../src/migrations/plan.js";

function rev(revision: string, down: string | string[] | null, extra: Partial<RawRevision> = {}): RawRevision {
  return {
    revision,
    downRevisions: down === null ? [] : Array.isArray(down) ? down : [down],
    branchLabels: [],
    dependsOn: [],
    source: `${revision}.ts`,
    message: `revision ${revision}`,
    ...extra,
  };
}

/**
 * schema: s1 -> s2 -> s3        (label "schema" on s1)
 * data:   d1 -> d2 -> d3        (label "data" on d1, d1 depends on s2)
 */
function twoBranches(): RevisionGraph {
  return new RevisionGraph([
    rev("aa11", null, { branchLabels: ["schema"] }),
    rev("aa22", "aa11"),
    rev("aa33", "aa22"),
    rev("dd11", null, { branchLabels: ["data"], dependsOn: ["aa22"] }),
    rev("dd22", "dd11"),
    rev("dd33", "dd22"),
  ]);
}

const set = (...ids: string[]) => new Set(ids);

describe("revision graph", () => {
  it("finds heads, bases and branch membership", () => {
    const g = twoBranches();
    assert.deepEqual(g.heads().map((h) => h.revision), ["aa33", "dd33"]);
    assert.deepEqual(g.bases().map((h) => h.revision), ["aa11", "dd11"]);
    assert.deepEqual(g.branchesOf("dd22"), ["data"]);
    assert.deepEqual(g.branchesOf("aa33"), ["schema"]);
    assert.equal(g.branchHead("data").revision, "dd33");
    assert.equal(g.labelRevision("schema").revision, "aa11");
  });

  it("resolves partial ids and reports ambiguous and unknown ones", () => {
    const g = twoBranches();
    assert.equal(g.resolveId("dd2"), "dd22");
    assert.throws(() => g.resolveId("aa"), /ambiguous; it matches aa11, aa22, aa33/);
    assert.throws(() => g.resolveId("zz"), /Unknown revision "zz"/);
  });

  it("rejects a down_revision that does not exist, naming the file", () => {
    assert.throws(() => new RevisionGraph([rev("a1", null), rev("b1", "nope")]), /b1 \(b1\.ts\) has down_revision nope, which is not in any migration file/);
  });

  it("rejects a depends_on that does not exist", () => {
    assert.throws(() => new RevisionGraph([rev("a1", null, { dependsOn: ["zz"] })]), /depends on zz, which is not in any migration file/);
  });

  it("rejects duplicate ids and duplicate labels", () => {
    assert.throws(() => new RevisionGraph([rev("a1", null), { ...rev("a1", null), source: "other.ts" }]), /Duplicate revision id a1 in a1\.ts and other\.ts/);
    assert.throws(
      () => new RevisionGraph([rev("a1", null, { branchLabels: ["x"] }), rev("b1", null, { branchLabels: ["x"] })]),
      /Branch label "x" is used by both a1/,
    );
  });

  it("detects cycles through down_revision and depends_on", () => {
    assert.throws(() => new RevisionGraph([rev("a1", "c1"), rev("b1", "a1"), rev("c1", "b1")]), (e: Error) => {
      assert.ok(e instanceof MigrationError);
      assert.match(e.message, /Cycle in the revision graph: (a1|b1|c1) -> .* -> /);
      return true;
    });
    assert.throws(() => new RevisionGraph([rev("a1", null, { dependsOn: ["b1"] }), rev("b1", "a1")]), /Cycle/);
  });

  it("orders revisions parents first, dependencies included", () => {
    const g = twoBranches();
    const order = g.topological(["dd33", "dd11", "aa22", "aa11", "dd22"]);
    assert.deepEqual(order, ["aa11", "aa22", "dd11", "dd22", "dd33"]);
  });

  it("keeps one version row per branch when a dependency crosses branches", () => {
    const g = twoBranches();
    assert.deepEqual(g.versionHeads(set("aa11", "aa22", "dd11")), ["aa22", "dd11"]);
    assert.deepEqual(g.versionHeads(set("aa11", "aa22", "aa33", "dd11", "dd22", "dd33")), ["aa33", "dd33"]);
  });
});

describe("upgrade plans", () => {
  const g = twoBranches();

  it("heads applies everything, dependencies first", () => {
    assert.deepEqual(planUpgrade(g, set(), "heads"), ["aa11", "aa22", "aa33", "dd11", "dd22", "dd33"]);
  });

  it("head fails when there are several heads", () => {
    assert.throws(() => planUpgrade(g, set(), "head"), /Multiple heads are present \(aa33 \(schema\), dd33 \(data\)\)/);
  });

  it("branch@head applies that branch and what it depends on only", () => {
    assert.deepEqual(planUpgrade(g, set(), "data@head"), ["aa11", "aa22", "dd11", "dd22", "dd33"]);
    assert.deepEqual(planUpgrade(g, set(), "data"), ["aa11", "aa22", "dd11", "dd22", "dd33"]);
    assert.deepEqual(planUpgrade(g, set(), "schema@head"), ["aa11", "aa22", "aa33"]);
  });

  it("a partial revision id applies up to it", () => {
    assert.deepEqual(planUpgrade(g, set(), "dd1"), ["aa11", "aa22", "dd11"]);
  });

  it("skips what is applied", () => {
    assert.deepEqual(planUpgrade(g, set("aa11", "aa22", "dd11"), "heads"), ["aa33", "dd22", "dd33"]);
  });

  it("+N moves along one branch", () => {
    assert.deepEqual(planUpgrade(g, set("aa11", "aa22", "dd11"), "data@+1"), ["dd22"]);
    assert.deepEqual(planUpgrade(g, set("aa11", "aa22", "dd11"), "data@+2"), ["dd22", "dd33"]);
    assert.deepEqual(planUpgrade(g, set("aa11", "aa22"), "schema@+1"), ["aa33"]);
    assert.deepEqual(planUpgrade(g, set(), "schema@+2"), ["aa11", "aa22"]);
    assert.throws(() => planUpgrade(g, set("aa11", "aa22", "dd11"), "data@+3"), /goes beyond/);
    assert.throws(() => planUpgrade(g, set("aa11", "aa22", "dd11"), "+1"), /ambiguous: several revisions are applied/);
  });

  it("+N on a linear history needs no branch", () => {
    const linear = new RevisionGraph([rev("a1", null), rev("b1", "a1"), rev("c1", "b1")]);
    assert.deepEqual(planUpgrade(linear, set(), "+2"), ["a1", "b1"]);
    assert.deepEqual(planUpgrade(linear, set("a1"), "+1"), ["b1"]);
  });

  it("-N is refused as an upgrade target", () => {
    assert.throws(() => planUpgrade(g, set(), "-1"), /downgrade target/);
  });
});

describe("downgrade plans", () => {
  const g = twoBranches();
  const all = set("aa11", "aa22", "aa33", "dd11", "dd22", "dd33");

  it("-1 with two heads picks the one nothing depends on, or else the data branch's", () => {
    // both aa33 and dd33 are tips: the data branch's is taken
    assert.deepEqual(planDowngrade(g, all, "-1"), ["dd33"]);
    const noData = new RevisionGraph([rev("x1", null, { branchLabels: ["x"] }), rev("y1", null, { branchLabels: ["y"] })]);
    assert.throws(() => planDowngrade(noData, set("x1", "y1"), "-1"), /ambiguous: several heads are applied/);
    // schema at aa22 with data on top of it: only dd33 is a tip
    assert.deepEqual(planDowngrade(g, set("aa11", "aa22", "dd11", "dd22", "dd33"), "-1"), ["dd33"]);
  });

  it("branch@-N walks one branch", () => {
    assert.deepEqual(planDowngrade(g, all, "data@-1"), ["dd33"]);
    assert.deepEqual(planDowngrade(g, all, "data@-2"), ["dd33", "dd22"]);
    assert.deepEqual(planDowngrade(g, all, "data@-3"), ["dd33", "dd22", "dd11"]);
    assert.throws(() => planDowngrade(g, all, "data@-4"), /goes beyond/);
  });

  it("downgrading a schema revision first undoes the data revisions that depend on it", () => {
    assert.deepEqual(planDowngrade(g, all, "aa11"), ["dd33", "dd22", "dd11", "aa33", "aa22"]);
  });

  it("base and branch@base", () => {
    assert.deepEqual(planDowngrade(g, all, "data@base"), ["dd33", "dd22", "dd11"]);
    assert.deepEqual(planDowngrade(g, all, "base"), ["dd33", "dd22", "dd11", "aa33", "aa22", "aa11"]);
  });

  it("a target that is not applied is an error", () => {
    assert.throws(() => planDowngrade(g, set("aa11"), "aa22"), /not applied/);
  });

  it("upgrade targets are refused", () => {
    assert.throws(() => planDowngrade(g, all, "heads"), /upgrade target/);
    assert.throws(() => planDowngrade(g, all, "+1"), /upgrade target/);
  });
});

describe("merges", () => {
  // a1 -> b1 -> m1 <- c1 <- a1 (branch point at a1, merge at m1)
  const g = new RevisionGraph([rev("a1", null), rev("b1", "a1"), rev("c1", "a1"), rev("m1", ["b1", "c1"])]);

  it("a merge revision has both heads as parents and becomes the single head", () => {
    assert.deepEqual(g.heads().map((h) => h.revision), ["m1"]);
    assert.deepEqual(planUpgrade(g, set(), "head"), ["a1", "b1", "c1", "m1"]);
    assert.deepEqual(g.versionHeads(set("a1", "b1", "c1", "m1")), ["m1"]);
    assert.deepEqual(g.versionHeads(set("a1", "b1", "c1")), ["b1", "c1"]);
  });

  it("+1 across a branch point is ambiguous; -1 across a merge is too", () => {
    assert.throws(() => planUpgrade(g, set("a1"), "+1"), /branches at a1 into b1, c1/);
    assert.throws(() => planDowngrade(g, set("a1", "b1", "c1", "m1"), "-2"), /merge of b1, c1/);
    assert.deepEqual(planDowngrade(g, set("a1", "b1", "c1", "m1"), "-1"), ["m1"]);
  });

  it("downgrading to one side of the merge removes the merge and the other side", () => {
    assert.deepEqual(planDowngrade(g, set("a1", "b1", "c1", "m1"), "b1"), ["m1"]);
    assert.deepEqual(planDowngrade(g, set("a1", "b1", "c1", "m1"), "a1"), ["m1", "c1", "b1"]);
  });
});
