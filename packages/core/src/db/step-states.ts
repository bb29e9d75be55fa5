/**
 * How a step's state is stored in `process_steps.state`: in full (a snapshot), or as what changed since the row
 * before it (a delta), so that a process's storage grows with its length instead of with its square. Readers rebuild
 * every row's full state ({@link rebuildStepStates}); the API, the UI and the engine only ever see full states.
 *
 * A delta row (`is_delta` true) holds `{"set": {key: new value, …}, "unset": [removed key, …]}` over the top-level
 * keys of the state of the row just before it (rows in the order they were written: `seq`). The writer makes a
 * snapshot every {@link STATE_SNAPSHOT_EVERY} rows, for the first row a run writes, for every row that is not a plain
 * success (failed, suspended, awaiting a callback, aborted, complete), and for every row updated in place; a row's
 * state is therefore rebuilt from at most STATE_SNAPSHOT_EVERY rows. orchestrator-core stores full states only
 * (`ProcessStepTable.state`); this is our own format.
 */

/** A step state: a JSON object. */
export type StepState = Record<string, unknown>;

/** At most this many rows from one snapshot to the next (the snapshot included). */
export const STATE_SNAPSHOT_EVERY = 16;

/**
 * What the writer knows of the last row it wrote for a process: each top-level key's JSON text, and how many rows
 * have been written since (and including) the last snapshot. Pass it to the next {@link encodeStepState} of the same
 * process, and only when that row directly follows the one it describes.
 */
export interface StepStateBase {
  readonly keys: ReadonlyMap<string, string>;
  /** Each top-level key's value where it is a string, number or boolean: its JSON text above is reused while it stays. */
  readonly primitives: ReadonlyMap<string, unknown>;
  readonly rowsSinceSnapshot: number;
}

/** The `state` column of a delta row. */
export interface StepStateDelta {
  set: StepState;
  unset?: string[];
}

export interface EncodedStepState {
  /** The JSON text for the `state` column. */
  json: string;
  /** Whether `json` is a delta over the row before it. */
  isDelta: boolean;
  /** The base for the next row of the same process. */
  base: StepStateBase;
}

/**
 * Encode `state` (a plain JSON object: keys whose value JSON leaves out are left out) for its row: as a delta over
 * `previous` when there is one and `snapshot` is false and the run of deltas is not too long yet, else in full.
 * The JSON text of each key is made once; a string, number or boolean that has not changed since `previous` keeps the
 * text made then (objects and arrays are made anew: a step may have changed them in place), so a long process's
 * states are not turned into JSON again with every step.
 */
export function encodeStepState(state: StepState, previous: StepStateBase | undefined, snapshot: boolean): EncodedStepState {
  const keys = new Map<string, string>();
  const primitives = new Map<string, unknown>();
  for (const key of Object.keys(state)) {
    const value = state[key];
    const primitive = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
    let json = primitive && previous?.primitives.get(key) === value ? previous.keys.get(key) : undefined;
    json ??= JSON.stringify(value);
    if (json === undefined) continue;
    keys.set(key, json);
    if (primitive) primitives.set(key, value);
  }
  const full = !previous || snapshot || previous.rowsSinceSnapshot >= STATE_SNAPSHOT_EVERY;
  if (full) return { json: objectJson(keys), isDelta: false, base: { keys, primitives, rowsSinceSnapshot: 1 } };
  const set = new Map<string, string>();
  for (const [key, json] of keys) if (previous.keys.get(key) !== json) set.set(key, json);
  const unset: string[] = [];
  for (const key of previous.keys.keys()) if (!keys.has(key)) unset.push(key);
  const json = unset.length ? `{"set":${objectJson(set)},"unset":${JSON.stringify(unset)}}` : `{"set":${objectJson(set)}}`;
  return { json, isDelta: true, base: { keys, primitives, rowsSinceSnapshot: previous.rowsSinceSnapshot + 1 } };
}

function objectJson(keys: ReadonlyMap<string, string>): string {
  let json = "{";
  for (const [key, value] of keys) json += `${json.length > 1 ? "," : ""}${JSON.stringify(key)}:${value}`;
  return `${json}}`;
}

/** The full state of a delta row, from the full state of the row before it. */
export function applyStepStateDelta(previous: StepState, delta: StepStateDelta): StepState {
  const state: StepState = { ...previous, ...delta.set };
  for (const key of delta.unset ?? []) delete state[key];
  return state;
}

/**
 * Rows of one process in the order they were written (`seq`), with every state in full. A delta row without a row
 * before it (which the writer never makes) is taken as its `set` alone.
 */
export function rebuildStepStates<R extends { state: unknown; is_delta?: boolean | null }>(rows: readonly R[]): (Omit<R, "state"> & { state: StepState })[] {
  let previous: StepState = {};
  return rows.map((row) => {
    const state = row.is_delta ? applyStepStateDelta(previous, row.state as StepStateDelta) : ((row.state ?? {}) as StepState);
    previous = state;
    return { ...row, state };
  });
}
