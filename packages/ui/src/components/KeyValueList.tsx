/** A definition list of label / value rows, as the detail pages show their fields. */
import type { ReactNode } from "react";

export type KeyValueRow = [label: string, value: ReactNode];

export function KeyValueList({ rows }: { rows: KeyValueRow[] }) {
  return (
    <dl className="kv">
      {rows.map(([label, value]) => (
        <div key={label} className="kv-row">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
