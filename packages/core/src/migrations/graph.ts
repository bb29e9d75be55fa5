/**
 * The revision graph: revisions linked by `down_revision` (one parent, several for a merge, none for a root) and by
 * `depends_on` (a cross-branch dependency). Branch labels name a revision and everything built on top of it. This
 * module is pure: it knows nothing about files or databases, only ids and edges.
 */
import { MigrationError } from "../errors.js";

export interface RevisionNode {
  readonly revision: string;
  /** `down_revision`: the parents. Empty for a root. */
  readonly downRevisions: readonly string[];
  readonly branchLabels: readonly string[];
  /** `depends_on`, already resolved to full revision ids. */
  readonly dependsOn: readonly string[];
  /** Where the revision comes from (file path), for messages. */
  readonly source: string;
  /** First line of the revision's description. */
  readonly message: string;
}

export interface RawRevision {
  revision: string;
  downRevisions: readonly string[];
  branchLabels: readonly string[];
  /** Revision ids (full or unique prefix) as written in the file. */
  dependsOn: readonly string[];
  source: string;
  message: string;
}

export class RevisionGraph {
  /** Revisions in a stable order: the order they were given (by location, then file name). */
  readonly revisions: readonly RevisionNode[];
  private readonly byId = new Map<string, RevisionNode>();
  /** revision → revisions whose down_revision names it. */
  private readonly downChildren = new Map<string, RevisionNode[]>();
  /** revision → revisions that list it in depends_on. */
  private readonly dependents = new Map<string, RevisionNode[]>();
  private readonly labelOwner = new Map<string, RevisionNode>();
  private readonly order = new Map<string, number>();

  constructor(raw: readonly RawRevision[]) {
    for (const r of raw) {
      if (!/^[0-9A-Za-z_]+$/.test(r.revision)) {
        throw new MigrationError(`Invalid revision id ${JSON.stringify(r.revision)} in ${r.source}: use letters, digits and _`);
      }
      const existing = this.byId.get(r.revision);
      if (existing) {
        throw new MigrationError(`Duplicate revision id ${r.revision} in ${existing.source} and ${r.source}`);
      }
      this.byId.set(r.revision, { ...r, dependsOn: [] });
    }
    // Resolve depends_on (prefixes allowed) now that every id is known, and check parents exist.
    const nodes: RevisionNode[] = [];
    for (const r of raw) {
      for (const parent of r.downRevisions) {
        if (!this.byId.has(parent)) {
          throw new MigrationError(
            `Revision ${r.revision} (${r.source}) has down_revision ${parent}, which is not in any migration file`,
          );
        }
      }
      const dependsOn = r.dependsOn.map((dep) => {
        const matches = this.matchPrefix(dep);
        if (matches.length === 0) {
          throw new MigrationError(`Revision ${r.revision} (${r.source}) depends on ${dep}, which is not in any migration file`);
        }
        if (matches.length > 1) {
          throw new MigrationError(`Revision ${r.revision} (${r.source}) depends on ${dep}, which is ambiguous: ${matches.join(", ")}`);
        }
        return matches[0]!;
      });
      const node: RevisionNode = { ...r, dependsOn };
      this.byId.set(r.revision, node);
      nodes.push(node);
      this.order.set(node.revision, nodes.length - 1);
    }
    this.revisions = nodes;
    for (const node of nodes) {
      for (const parent of node.downRevisions) push(this.downChildren, parent, node);
      for (const dep of node.dependsOn) push(this.dependents, dep, node);
      for (const label of node.branchLabels) {
        const owner = this.labelOwner.get(label);
        if (owner) {
          throw new MigrationError(
            `Branch label "${label}" is used by both ${owner.revision} (${owner.source}) and ${node.revision} (${node.source})`,
          );
        }
        if (this.byId.has(label)) throw new MigrationError(`Branch label "${label}" of ${node.revision} is also a revision id`);
        this.labelOwner.set(label, node);
      }
    }
    this.checkAcyclic();
  }

  get size(): number {
    return this.revisions.length;
  }

  get(revision: string): RevisionNode {
    const node = this.byId.get(revision);
    if (!node) throw new MigrationError(`Unknown revision ${revision}`);
    return node;
  }

  has(revision: string): boolean {
    return this.byId.has(revision);
  }

  /** Parents for ordering: down revisions and dependencies. */
  parentsOf(revision: string): readonly string[] {
    const node = this.get(revision);
    return [...node.downRevisions, ...node.dependsOn];
  }

  childrenOf(revision: string): readonly RevisionNode[] {
    return this.downChildren.get(revision) ?? [];
  }

  /** Revisions nothing builds on with down_revision. */
  heads(): RevisionNode[] {
    return this.revisions.filter((r) => this.childrenOf(r.revision).length === 0);
  }

  /** Revisions with no down_revision. */
  bases(): RevisionNode[] {
    return this.revisions.filter((r) => r.downRevisions.length === 0);
  }

  /** Every branch label a revision belongs to: its own and those of its down_revision ancestors. */
  branchesOf(revision: string): string[] {
    const labels = new Set<string>();
    for (const id of this.downAncestors(revision, true)) for (const label of this.get(id).branchLabels) labels.add(label);
    return [...labels].sort();
  }

  hasLabel(label: string): boolean {
    return this.labelOwner.has(label);
  }

  labels(): string[] {
    return [...this.labelOwner.keys()].sort();
  }

  /** The revision that carries `label`. */
  labelRevision(label: string): RevisionNode {
    const node = this.labelOwner.get(label);
    if (!node) {
      const known = this.labels();
      throw new MigrationError(
        `No branch labelled "${label}"${known.length ? ` (branches: ${known.join(", ")})` : " (there are no branch labels)"}`,
      );
    }
    return node;
  }

  /** Members of a branch: the labelled revision and everything built on it through down_revision. */
  branchMembers(label: string): Set<string> {
    const root = this.labelRevision(label);
    const members = new Set<string>([root.revision]);
    const stack = [root.revision];
    while (stack.length) {
      for (const child of this.childrenOf(stack.pop()!)) {
        if (!members.has(child.revision)) {
          members.add(child.revision);
          stack.push(child.revision);
        }
      }
    }
    return members;
  }

  /** The single head of a branch; an error if the branch has split into several. */
  branchHead(label: string): RevisionNode {
    const members = this.branchMembers(label);
    const heads = this.heads().filter((h) => members.has(h.revision));
    if (heads.length !== 1) {
      throw new MigrationError(
        `Branch "${label}" has ${heads.length} heads (${heads.map((h) => h.revision).join(", ")}); join them with \`db merge ${label} -m "merge heads"\` or name one of them`,
      );
    }
    return heads[0]!;
  }

  /** The single head of the whole graph; an error when there are several. */
  singleHead(): RevisionNode {
    const heads = this.heads();
    if (heads.length === 0) throw new MigrationError("There are no migration revisions");
    if (heads.length > 1) {
      throw new MigrationError(
        `Multiple heads are present (${heads.map((h) => this.describe(h.revision)).join(", ")}); ` +
          `use "heads", a branch such as "data@head", or a revision id`,
      );
    }
    return heads[0]!;
  }

  /** "abc123 (data)" */
  describe(revision: string): string {
    const branches = this.branchesOf(revision);
    return branches.length ? `${revision} (${branches.join(", ")})` : revision;
  }

  /** Full ids starting with `prefix`. */
  matchPrefix(prefix: string): string[] {
    if (this.byId.has(prefix)) return [prefix];
    if (prefix.length < 1) return [];
    return [...this.byId.keys()].filter((id) => id.startsWith(prefix));
  }

  /** A full revision id from a full or partial id. */
  resolveId(text: string): string {
    const matches = this.matchPrefix(text);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new MigrationError(`Revision "${text}" is ambiguous; it matches ${matches.sort().join(", ")}`);
    }
    throw new MigrationError(`Unknown revision "${text}": no migration file has that revision id or branch label`);
  }

  /** All ancestors through down_revision and depends_on (optionally including the start). */
  ancestors(revisions: Iterable<string>, includeSelf = false): Set<string> {
    return this.walk(revisions, includeSelf, (id) => this.parentsOf(id));
  }

  /** Ancestors through down_revision only. */
  downAncestors(revision: string, includeSelf = false): Set<string> {
    return this.walk([revision], includeSelf, (id) => this.get(id).downRevisions);
  }

  /** All descendants through down_revision and depends_on (optionally including the start). */
  descendants(revisions: Iterable<string>, includeSelf = false): Set<string> {
    return this.walk(revisions, includeSelf, (id) => [
      ...this.childrenOf(id).map((c) => c.revision),
      ...(this.dependents.get(id) ?? []).map((c) => c.revision),
    ]);
  }

  /** Sort revisions so that every revision comes after its parents (stable: file order breaks ties). */
  topological(ids: Iterable<string>): string[] {
    const wanted = new Set(ids);
    const done = new Set<string>();
    const result: string[] = [];
    const visit = (id: string) => {
      if (done.has(id)) return;
      done.add(id);
      const parents = [...this.parentsOf(id)].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
      for (const parent of parents) if (wanted.has(parent)) visit(parent);
      result.push(id);
    };
    for (const id of [...wanted].sort((a, b) => this.order.get(a)! - this.order.get(b)!)) visit(id);
    return result;
  }

  /**
   * The heads of an applied set as stored in the version table: applied revisions that no other applied revision
   * builds on through down_revision. (A dependency across branches keeps its own row, as in Alembic.)
   */
  versionHeads(applied: ReadonlySet<string>): string[] {
    const covered = new Set<string>();
    for (const id of applied) for (const ancestor of this.downAncestors(id)) covered.add(ancestor);
    return this.topological([...applied].filter((id) => !covered.has(id)));
  }

  private walk(start: Iterable<string>, includeSelf: boolean, next: (id: string) => readonly string[]): Set<string> {
    const seen = new Set<string>();
    const stack: string[] = [];
    for (const id of start) {
      this.get(id);
      if (includeSelf) seen.add(id);
      stack.push(id);
    }
    while (stack.length) {
      for (const n of next(stack.pop()!)) {
        if (!seen.has(n)) {
          seen.add(n);
          stack.push(n);
        }
      }
    }
    return seen;
  }

  private checkAcyclic(): void {
    const state = new Map<string, "visiting" | "done">();
    const path: string[] = [];
    const visit = (id: string) => {
      const s = state.get(id);
      if (s === "done") return;
      if (s === "visiting") {
        const cycle = [...path.slice(path.indexOf(id)), id];
        throw new MigrationError(
          `Cycle in the revision graph: ${cycle.join(" -> ")} (${cycle.slice(0, -1).map((r) => this.get(r).source).join(", ")})`,
        );
      }
      state.set(id, "visiting");
      path.push(id);
      for (const parent of this.parentsOf(id)) visit(parent);
      path.pop();
      state.set(id, "done");
    };
    for (const r of this.revisions) visit(r.revision);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
