/**
 * Turns a revision target (`heads`, `head`, `base`, an id or prefix, `branch@head`, `branch@base`, `+N`, `-N`,
 * `branch@+N`, `branch@-N`) and the applied set into the ordered list of revisions to run.
 */
import { MigrationError } from "../errors.js";
import type { RevisionGraph } from "./graph.js";

/** The branch a bare relative downgrade (`-1`) walks when several heads are applied. */
const PREFERRED_BRANCH = "data";

const RELATIVE = /^(?:(.+)@)?([+-])(\d+)$/;

/** A bare label means the head of that branch; `x@head` likewise; otherwise a (partial) revision id. */
function resolveNamed(graph: RevisionGraph, spec: string): string {
  const at = spec.match(/^(.+)@head$/);
  const name = at ? at[1]! : spec;
  if (graph.hasLabel(name)) return graph.branchHead(name).revision;
  const id = graph.resolveId(name);
  if (!at) return id;
  const heads = graph.heads().filter((h) => graph.downAncestors(h.revision, true).has(id));
  if (heads.length !== 1) {
    throw new MigrationError(`${spec} is ambiguous: ${heads.length} heads build on ${id} (${heads.map((h) => h.revision).join(", ")})`);
  }
  return heads[0]!.revision;
}

/** The applied version heads that nothing else applied depends on (the tips a relative downgrade starts from). */
function appliedTips(graph: RevisionGraph, applied: ReadonlySet<string>, branch: string | undefined): string[] {
  const heads = graph.versionHeads(applied);
  if (branch !== undefined) {
    const members = graph.branchMembers(branch);
    return heads.filter((h) => members.has(h));
  }
  return heads.filter((h) => ![...graph.descendants([h])].some((d) => applied.has(d)));
}

function relativeTooFar(spec: string): MigrationError {
  return new MigrationError(`Relative revision ${spec} goes beyond the available revisions`);
}

/** Revisions to apply, parents first. */
export function planUpgrade(graph: RevisionGraph, applied: ReadonlySet<string>, spec: string): string[] {
  let targets: string[];
  const relative = spec.match(RELATIVE);
  if (spec === "heads") targets = graph.heads().map((h) => h.revision);
  else if (spec === "head") targets = [graph.singleHead().revision];
  else if (spec === "base") targets = [];
  else if (relative) {
    const [, branch, sign, count] = relative;
    if (sign === "-") throw new MigrationError(`${spec} is a downgrade target; use \`db downgrade ${spec}\``);
    targets = [stepForward(graph, applied, branch, Number(count), spec)];
  } else targets = [resolveNamed(graph, spec)];
  const wanted = graph.ancestors(targets, true);
  return graph.topological([...wanted].filter((id) => !applied.has(id)));
}

function stepForward(graph: RevisionGraph, applied: ReadonlySet<string>, branch: string | undefined, count: number, spec: string): string {
  let current: string | undefined;
  const tips = branch !== undefined ? appliedTips(graph, applied, branch) : graph.versionHeads(applied);
  if (tips.length > 1) {
    throw new MigrationError(
      `${spec} is ambiguous: several revisions are applied (${tips.map((t) => graph.describe(t)).join(", ")}); use branch@${spec}, e.g. data@${spec}`,
    );
  }
  current = tips[0];
  for (let step = 0; step < count; step++) {
    let next: string[];
    if (current === undefined) {
      next = branch !== undefined ? [graph.labelRevision(branch).revision] : graph.bases().map((b) => b.revision);
    } else {
      next = graph.childrenOf(current).map((c) => c.revision);
    }
    if (next.length === 0) throw relativeTooFar(spec);
    if (next.length > 1) {
      throw new MigrationError(`${spec} is ambiguous: the graph branches at ${current ?? "base"} into ${next.join(", ")}; name a revision`);
    }
    current = next[0]!;
  }
  if (current === undefined) throw relativeTooFar(spec);
  return current;
}

/** Revisions to undo, dependents first. */
export function planDowngrade(graph: RevisionGraph, applied: ReadonlySet<string>, spec: string): string[] {
  let remove: Set<string>;
  const relative = spec.match(RELATIVE);
  const baseOf = spec.match(/^(.+)@base$/);
  if (spec === "base") remove = new Set(applied);
  else if (spec === "heads" || spec === "head" || /@head$/.test(spec)) {
    throw new MigrationError(`${spec} is an upgrade target; \`db downgrade\` takes base, branch@base, -N, branch@-N or a revision`);
  } else if (baseOf) {
    remove = graph.descendants([graph.labelRevision(baseOf[1]!).revision], true);
  } else if (relative) {
    const [, branch, sign, count] = relative;
    if (sign === "+") throw new MigrationError(`${spec} is an upgrade target; use \`db upgrade ${spec}\``);
    remove = stepBack(graph, applied, branch, Number(count), spec);
  } else {
    const target = resolveNamed(graph, spec);
    if (!applied.has(target)) {
      throw new MigrationError(`Revision ${graph.describe(target)} is not applied, so the database cannot be downgraded to it`);
    }
    remove = graph.descendants([target]);
  }
  return graph.topological([...remove].filter((id) => applied.has(id))).reverse();
}

function stepBack(graph: RevisionGraph, applied: ReadonlySet<string>, branch: string | undefined, count: number, spec: string): Set<string> {
  let tips = appliedTips(graph, applied, branch);
  if (tips.length > 1 && branch === undefined && graph.hasLabel(PREFERRED_BRANCH)) {
    // an app's bare `db downgrade` means its own (data) migrations, not the orchestrator's schema
    const members = graph.branchMembers(PREFERRED_BRANCH);
    const data = tips.filter((t) => members.has(t));
    if (data.length === 1) tips = data;
  }
  if (tips.length === 0) {
    throw new MigrationError(branch ? `Nothing of branch "${branch}" is applied` : "Nothing is applied; the database is at base");
  }
  if (tips.length > 1) {
    throw new MigrationError(
      `${spec} is ambiguous: several heads are applied (${tips.map((t) => graph.describe(t)).join(", ")}); use branch@${spec}, e.g. data@${spec}`,
    );
  }
  // Undo the tip, then its parent, … N revisions; a merge can be undone but not walked through.
  const remove = new Set<string>();
  let current: string | undefined = tips[0]!;
  for (let step = 0; step < count; step++) {
    if (current === undefined) throw relativeTooFar(spec);
    for (const id of graph.descendants([current], true)) remove.add(id);
    const down: readonly string[] = graph.get(current).downRevisions;
    if (down.length > 1 && step < count - 1) {
      throw new MigrationError(`${spec} is ambiguous: ${current} is a merge of ${down.join(", ")}; name a revision`);
    }
    current = down[0];
  }
  return remove;
}
