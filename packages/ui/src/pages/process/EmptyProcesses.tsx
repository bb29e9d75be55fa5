/**
 * An empty tab of the workflows or tasks list, saying what the other tab has ("No active workflows — 5 completed",
 * with the same search and workflow filter) with a button to go there; or, when neither has any, how to start one or
 * how to clear the search.
 */
import { Link } from "react-router";
import type { ListParams } from "../../api/list-params.ts";
import { useProcesses } from "../../api/queries.ts";
import { EmptyList } from "../../components/EmptyList.tsx";

interface EmptyProcessesProps {
  isTask: boolean;
  /** The shown tab's label ("Active") and the other tab's ("Completed"). */
  tabLabel: string;
  otherLabel: string;
  /** The other tab's list: only its total is read. */
  otherParams: ListParams;
  /** Whether a search or filter narrows the list. */
  filtered: boolean;
  onShowOther: () => void;
  onClearFilters: () => void;
}

export function EmptyProcesses({ isTask, tabLabel, otherLabel, otherParams, filtered, onShowOther, onClearFilters }: EmptyProcessesProps) {
  const other = useProcesses({ ...otherParams, page: 0, pageSize: 1 });
  const noun = isTask ? "tasks" : "workflows";
  const none = `No ${tabLabel.toLowerCase()} ${noun}${filtered ? " match the search and filters" : ""}`;
  const otherCount = other.data?.total;
  if (otherCount === undefined) return <EmptyList>{none}</EmptyList>;
  if (otherCount > 0) {
    const action = (
      <button type="button" onClick={onShowOther}>
        Show {otherLabel.toLowerCase()} {noun}
      </button>
    );
    return (
      <EmptyList action={action}>
        <strong>{none}</strong> — {otherCount} {otherLabel.toLowerCase()}
      </EmptyList>
    );
  }
  if (filtered) {
    const action = (
      <button type="button" onClick={onClearFilters}>
        Clear search and filters
      </button>
    );
    return <EmptyList action={action}>No {noun} match the search and filters</EmptyList>;
  }
  const action = (
    <Link className="button primary" to={isTask ? "/tasks/new" : "/workflows/new"}>
      {isTask ? "Start a task" : "Start a workflow"}
    </Link>
  );
  return <EmptyList action={action}>No {noun} yet</EmptyList>;
}
