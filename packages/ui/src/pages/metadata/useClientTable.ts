/** Sorting and searching a list that the server gives whole (the metadata lists). */
import { useMemo, useState } from "react";
import type { SortState } from "../../api/list-params.ts";

export function useClientTable<Row>(rows: readonly Row[] | undefined, sortValue: (row: Row, field: string) => unknown, initial: SortState) {
  const [sort, setSort] = useState<SortState>(initial);
  const [query, setQuery] = useState("");
  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const filtered = (rows ?? []).filter((row) => !needle || JSON.stringify(row).toLowerCase().includes(needle));
    const factor = sort.order === "asc" ? 1 : -1;
    return [...filtered].sort((a, b) => {
      const x = String(sortValue(a, sort.field) ?? "");
      const y = String(sortValue(b, sort.field) ?? "");
      return x.localeCompare(y) * factor;
    });
  }, [rows, sort, query, sortValue]);
  return { rows: shown, sort, setSort, query, setQuery };
}
