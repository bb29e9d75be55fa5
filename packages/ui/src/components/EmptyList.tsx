/** What a list shows instead of an empty table: a sentence saying so, and what to do next. */
import type { ReactNode } from "react";

export function EmptyList({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div role="status" className="empty-list">
      <p>{children}</p>
      {action}
    </div>
  );
}
