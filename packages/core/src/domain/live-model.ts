/**
 * Live models: the subscription objects made by fromProductId, fromSubscription and the lifecycle changes carry a
 * hidden mark; a step that returns one gets it saved. Copies in the state (such as the backups of "Lock
 * subscription") are plain JSON without the mark, so they are never saved by accident.
 */
const LIVE = Symbol.for("orchestrator-ts.liveSubscriptionModel");

export function markLive<T extends object>(model: T): T {
  Object.defineProperty(model, LIVE, { value: true, enumerable: false, configurable: true });
  return model;
}

export function isLive(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[LIVE] === true;
}

/**
 * What is stored of a live model's own blocks (see subscription-store's OwnedSnapshot), kept beside the model so
 * that saving it writes only what changed. Keyed by the object: a plain copy has none and is written whole.
 */
const SNAPSHOTS = new WeakMap<object, unknown>();

export function snapshotOf<S>(model: object): S | undefined {
  return SNAPSHOTS.get(model) as S | undefined;
}

export function setSnapshot(model: object, snapshot: unknown): void {
  if (snapshot === undefined) SNAPSHOTS.delete(model);
  else SNAPSHOTS.set(model, snapshot);
}
