/**
 * A button that asks before it acts: a modal `<dialog>` (focus stays inside, Escape cancels) with the question and
 * Cancel / confirm buttons. `onConfirm` may be async; the dialog shows its error and stays open if it fails.
 */
import { useId, useRef, useState, type ReactNode } from "react";

interface ConfirmButtonProps {
  label: ReactNode;
  question: ReactNode;
  confirmLabel?: string;
  onConfirm: () => unknown;
  disabled?: boolean;
  title?: string | undefined;
  className?: string;
}

export function ConfirmButton({ label, question, confirmLabel = "Confirm", onConfirm, disabled, title, className }: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const headingId = useId();

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className={className} disabled={disabled} title={title} onClick={() => dialog.current?.showModal()}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={headingId} className="confirm-dialog" onClose={() => setError(null)}>
        <p id={headingId}>{question}</p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
