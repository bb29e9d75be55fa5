/**
 * Turns a revision target (`heads`, `head`, `base`, an id or prefix, `branch@head`, `branch@base`, `+N`, `-N`,
 * `branch@+N`, `branch@-N`, `revision@+N`, `revision@-N`) and the applied set into the ordered list of revisions to
 * run. When a target is ambiguous the error names targets that resolve it, each one a command that works.
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
    throw new MigrationError(`${spec} is ambiguous: ${heads.length} heads build on ${id}; name one of them:\n${waysOut(heads.map((h) => `db upgrade ${h.revision}`))}`);
  }
  return heads[0]!.revision;
}

/**
 * What stands before the `@` of a relative target: a branch label (walk that branch) or a revision id or prefix
 * (start from that revision); undefined for a bare `+N` / `-N`.
 */
type Anchor = { branch: string; revision?: undefined } | { revision: string; branch?: undefined } | undefined;

function anchorOf(graph: RevisionGraph, name: string | undefined): Anchor {
  if (name === undefined) return undefined;
  if (graph.hasLabel(name)) return { branch: name };
  if (graph.matchPrefix(name).length > 0) return { revision: graph.resolveId(name) };
  graph.labelRevision(name); // not a label nor a revision: throws "No branch labelled …", naming the branches
  return undefined;
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

/**
 * The anchor that names `tip` unambiguously in a relative target: a branch label whose only applied tip it is,
 * otherwise the revision id itself (always unambiguous).
 */
function anchorFor(graph: RevisionGraph, applied: ReadonlySet<string>, tip: string): string {
  const label = graph.branchesOf(tip).find((l) => {
    const tips = appliedTips(graph, applied, l);
    return tips.length === 1 && tips[0] === tip;
  });
  return label ?? tip;
}

/**
 * `db merge …` for several heads, when they are heads of the graph: by branch label when they are exactly the heads
 * of one branch, otherwise by id. Undefined when a merge would not join them (one is not a head).
 */
function mergeCommand(graph: RevisionGraph, tips: readonly string[]): string | undefined {
  const heads = new Set(graph.heads().map((h) => h.revision));
  if (!tips.every((t) => heads.has(t))) return undefined;
  const label = graph.labels().find((l) => {
    const members = graph.branchMembers(l);
    const branchHeads = [...heads].filter((h) => members.has(h));
    return branchHeads.length === tips.length && tips.every((t) => members.has(t));
  });
  return `db merge ${label ?? tips.join(" ")} -m "merge heads"`;
}

/** Whether a suggested target plans without an error (so a message proposes only commands that work). */
function resolves(plan: () => unknown): boolean {
  try {
    plan();
    return true;
  } catch {
    return false;
  }
}

/** The end of an ambiguity message: one command per way out, each on its own line. */
function waysOut(commands: readonly string[], merge?: string): string {
  const lines = commands.map((c) => `  ${c}`);
  return merge ? `${lines.join("\n")}\nor join them into one head first (then upgrade):\n  ${merge}` : lines.join("\n");
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
    targets = [stepForward(graph, applied, anchorOf(graph, branch), Number(count), spec)];
  } else targets = [resolveNamed(graph, spec)];
  const wanted = graph.ancestors(targets, true);
  return graph.topological([...wanted].filter((id) => !applied.has(id)));
}

function stepForward(graph: RevisionGraph, applied: ReadonlySet<string>, anchor: Anchor, count: number, spec: string): string {
  let current: string | undefined;
  const tips =
    anchor?.revision !== undefined ? [anchor.revision] : anchor?.branch !== undefined ? appliedTips(graph, applied, anchor.branch) : graph.versionHeads(applied);
  if (tips.length > 1) {
    // ways forward: from each tip that has a revision on top, by its own anchor when that resolves, else to each child
    const commands = tips.flatMap((t) => {
      const target = `${anchorFor(graph, applied, t)}@+${count}`;
      if (graph.childrenOf(t).length === 0) return [];
      if (resolves(() => planUpgrade(graph, applied, target))) return [`db upgrade ${target}`];
      return graph.childrenOf(t).map((c) => `db upgrade ${c.revision}`);
    });
    throw new MigrationError(
      `${spec} is ambiguous: several revisions are applied (${tips.map((t) => graph.describe(t)).join(", ")}); ` +
        (commands.length ? `say which one to move forward from:\n${waysOut(commands)}` : "none of them has a revision on top of it (see `db heads`)"),
    );
  }
  current = tips[0];
  for (let step = 0; step < count; step++) {
    let next: string[];
    if (current === undefined) {
      next = anchor?.branch !== undefined ? [graph.labelRevision(anchor.branch).revision] : graph.bases().map((b) => b.revision);
    } else {
      next = graph.childrenOf(current).map((c) => c.revision);
    }
    if (next.length === 0) throw relativeTooFar(spec);
    if (next.length > 1) {
      throw new MigrationError(
        `${spec} is ambiguous: the graph branches at ${current ?? "base"} into ${next.join(", ")}; name a revision:\n${waysOut(next.map((n) => `db upgrade ${n}`))}`,
      );
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
    remove = stepBack(graph, applied, anchorOf(graph, branch), Number(count), spec);
  } else {
    const target = resolveNamed(graph, spec);
    if (!applied.has(target)) {
      throw new MigrationError(`Revision ${graph.describe(target)} is not applied, so the database cannot be downgraded to it`);
    }
    remove = graph.descendants([target]);
  }
  return graph.topological([...remove].filter((id) => applied.has(id))).reverse();
}

function stepBack(graph: RevisionGraph, applied: ReadonlySet<string>, anchor: Anchor, count: number, spec: string): Set<string> {
  let tips: string[];
  if (anchor?.revision !== undefined) {
    if (!applied.has(anchor.revision)) throw new MigrationError(`Revision ${graph.describe(anchor.revision)} is not applied, so there is nothing to undo from it`);
    tips = [anchor.revision];
  } else tips = appliedTips(graph, applied, anchor?.branch);
  if (tips.length > 1 && anchor === undefined && graph.hasLabel(PREFERRED_BRANCH)) {
    // an app's bare `db downgrade` means its own (data) migrations, not the orchestrator's schema
    const members = graph.branchMembers(PREFERRED_BRANCH);
    const data = tips.filter((t) => members.has(t));
    if (data.length === 1) tips = data;
  }
  if (tips.length === 0) {
    throw new MigrationError(anchor?.branch ? `Nothing of branch "${anchor.branch}" is applied` : "Nothing is applied; the database is at base");
  }
  if (tips.length > 1) {
    // the bare or branch form cannot choose; each tip's own anchor can (a revision id always works)
    const commands = tips.map((t) => `db downgrade ${anchorFor(graph, applied, t)}@-${count}`);
    throw new MigrationError(
      `${spec} is ambiguous: several heads are applied (${tips.map((t) => graph.describe(t)).join(", ")}); ` +
        `say which one to undo:\n${waysOut(commands, mergeCommand(graph, tips))}`,
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
      throw new MigrationError(
        `${spec} is ambiguous: ${current} is a merge of ${down.join(", ")}; say which way down:\n${waysOut(down.map((d) => `db downgrade ${d}@-${count - step - 1}`))}`,
      );
    }
    current = down[0];
  }
  return remove;
}
