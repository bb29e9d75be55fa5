/** A banner while the engine is paused, on pages that start something: what that means, and a way to resume it. */
import { Link } from "react-router";
import { useSetEngineLock } from "../api/engine.ts";
import { useEngineStatus } from "../api/queries.ts";
import { ConfirmButton } from "./ConfirmButton.tsx";

export function EnginePausedBanner() {
  const { data } = useEngineStatus();
  const setLock = useSetEngineLock();
  if (!data?.global_lock) return null;
  return (
    <div role="status" className="banner tone-wait">
      <p>
        <strong>The engine is paused: no new process starts until it is resumed.</strong>
      </p>
      <div className="actions">
        <ConfirmButton
          label="Resume engine"
          question="Resume the engine? Paused processes continue."
          confirmLabel="Resume"
          className="primary"
          onConfirm={() => setLock.mutateAsync(false)}
        />
        <Link to="/settings">Engine settings</Link>
      </div>
    </div>
  );
}
