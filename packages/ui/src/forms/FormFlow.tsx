/**
 * The multi-page form protocol: post the pages filled in so far; a 510 answer brings the next page, a 400 the field
 * errors of the current one, a 2xx ends the flow. Earlier pages are kept here so Back restores them with their values.
 * The server refuses every post while the engine is paused: given the engine's state (`enginePaused`), the flow then
 * waits quietly (the page's banner says why), asks for its first page again once the engine is resumed, and keeps
 * what was filled in when a submit was refused.
 */
import { useEffect, useRef, useState } from "react";
import { ApiError, type FormOutcome } from "../api/client.ts";
import { isEngineLocked } from "../api/engine.ts";
import type { JsonObject, ValidationError } from "../api/types.ts";
import { ErrorMessage, Loading } from "../components/Feedback.tsx";
import { SchemaForm } from "./SchemaForm.tsx";
import type { Schema } from "./schema.ts";

interface ShownPage {
  form: Schema;
  hasNext: boolean;
  values?: Record<string, unknown> | undefined;
}

export interface FormFlowProps<T> {
  /** Sends all pages so far. */
  submit: (pages: JsonObject[]) => Promise<FormOutcome<T>>;
  /** Pages given before the user sees anything (e.g. `[{subscription_id}]`); posted on mount unless `form` is set. */
  initialPages?: JsonObject[];
  /** A first page that is already known (a suspended step's form); nothing is posted until it is submitted. */
  form?: Schema | null | undefined;
  onDone: (result: T) => void;
  onCancel?: () => void;
  /** The engine's pause as the page knows it (undefined: not known yet); the page shows the banner that explains it. */
  enginePaused?: boolean | undefined;
}

const hasNextOf = (meta: unknown) => typeof meta === "object" && meta !== null && (meta as { hasNext?: unknown }).hasNext === true;

export function FormFlow<T>({ submit, initialPages = [], form, onDone, onCancel, enginePaused }: FormFlowProps<T>) {
  const [stack, setStack] = useState<ShownPage[]>(form ? [{ form, hasNext: false }] : []);
  const [pages, setPages] = useState<JsonObject[]>(initialPages);
  const [errors, setErrors] = useState<ValidationError[]>([]);
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(!form);
  const [key, setKey] = useState(0);
  const started = useRef(false);
  const wasPaused = useRef(enginePaused);
  // the last post was refused because the engine is paused
  const lockedOut = isEngineLocked(failure);

  async function post(nextPages: JsonObject[], values?: Record<string, unknown>) {
    setBusy(true);
    setFailure(null);
    try {
      const outcome = await submit(nextPages);
      if (outcome.kind === "done") {
        onDone(outcome.result);
        return;
      }
      if (outcome.kind === "form") {
        setPages(nextPages);
        setErrors([]);
        setStack((old) => {
          const kept = old.map((page, i) => (i === old.length - 1 && values ? { ...page, values } : page));
          return [...kept, { form: outcome.form, hasNext: hasNextOf(outcome.meta) }];
        });
        setKey((k) => k + 1);
      } else {
        setErrors(outcome.errors);
        if (outcome.errors.length === 0) setFailure(outcome.detail ?? "Form not valid");
      }
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (form || started.current) return;
    started.current = true;
    void post(initialPages);
    // the first post happens once, on mount
  }, []);

  // resumed after a refusal: a missing first page is asked for again; a refused submit waits for the user's click
  useEffect(() => {
    const resumed = wasPaused.current === true && enginePaused === false;
    wasPaused.current = enginePaused;
    if (!resumed || !lockedOut) return;
    if (stack.length === 0 && !busy) void post(pages);
    else setFailure(null);
  }, [enginePaused]);

  const current = stack[stack.length - 1];

  function back() {
    setStack((old) => old.slice(0, -1));
    setPages((old) => old.slice(0, -1));
    setErrors([]);
    setFailure(null);
    setKey((k) => k + 1);
  }

  // the page's banner explains a refusal while the engine is known to be paused; otherwise it is shown as an error
  const explained = lockedOut && enginePaused === true;

  if (!current) {
    return (
      <>
        {busy && <Loading what="Loading form" />}
        {explained ? <p className="muted">The form appears once the engine runs.</p> : <ErrorMessage error={failure} />}
        {!busy && errors.length > 0 && (
          <ErrorMessage>
            {errors.map((e) => `${e.loc.join(".")}: ${e.msg}`).join("; ")}
          </ErrorMessage>
        )}
      </>
    );
  }

  return (
    <div className="form-flow">
      {explained ? (
        <p role="status" className="notice tone-wait">
          Not submitted: the engine is paused. Your input is kept; submit again once it runs.
        </p>
      ) : (
        failure !== null && <ErrorMessage error={failure instanceof ApiError || failure instanceof Error ? failure : String(failure)} />
      )}
      <SchemaForm
        key={key}
        schema={current.form}
        values={current.values}
        errors={errors}
        busy={busy}
        hasNext={current.hasNext}
        onSubmit={(data, values) => void post([...pages, data as JsonObject], values)}
        onBack={stack.length > 1 ? back : undefined}
        onCancel={onCancel}
      />
    </div>
  );
}
