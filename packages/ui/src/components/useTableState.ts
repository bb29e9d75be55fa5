/**
 * A list page's state (tab, page, page size, sort, search) kept in the URL's query string, so a list can be
 * bookmarked and the back button restores it.
 */
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import type { SortOrder } from "../api/list-params.ts";

export interface TableState<Tab extends string> {
  tab: Tab;
  page: number;
  pageSize: number;
  sort: { field: string; order: SortOrder };
  query: string;
  /** Extra filters of the page (their keys are listed in the defaults' `filterKeys`). */
  filters: Readonly<Record<string, string>>;
}

export interface TableDefaults<Tab extends string> {
  tab: Tab;
  tabs: readonly Tab[];
  sort: { field: string; order: SortOrder };
  pageSize?: number;
  filterKeys?: readonly string[];
}

export function useTableState<Tab extends string>(defaults: TableDefaults<Tab>) {
  const [params, setParams] = useSearchParams();
  const state = useMemo<TableState<Tab>>(() => {
    const tab = params.get("tab") as Tab | null;
    const [field, order] = (params.get("sort") ?? "").split(",");
    return {
      tab: tab && defaults.tabs.includes(tab) ? tab : defaults.tab,
      page: Math.max(0, Number(params.get("page") ?? 0) || 0),
      pageSize: Number(params.get("size")) || defaults.pageSize || 15,
      sort: field && (order === "asc" || order === "desc") ? { field, order } : defaults.sort,
      query: params.get("q") ?? "",
      filters: Object.fromEntries((defaults.filterKeys ?? []).map((key) => [key, params.get(key) ?? ""])),
    };
  }, [params, defaults]);

  const update = useCallback(
    (change: Partial<TableState<Tab>>) => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          const merged = { ...state, ...change };
          // anything but a page change starts again on the first page
          if (change.page === undefined) merged.page = 0;
          // another tab has its own filters
          if (change.tab !== undefined && change.tab !== state.tab && change.filters === undefined) merged.filters = {};
          const set = (key: string, value: string, fallback: string) => (value === fallback ? next.delete(key) : next.set(key, value));
          set("tab", merged.tab, defaults.tab);
          set("page", String(merged.page), "0");
          set("size", String(merged.pageSize), String(defaults.pageSize ?? 15));
          set("sort", `${merged.sort.field},${merged.sort.order}`, `${defaults.sort.field},${defaults.sort.order}`);
          set("q", merged.query, "");
          for (const key of defaults.filterKeys ?? []) set(key, merged.filters[key] ?? "", "");
          return next;
        },
        { replace: true },
      );
    },
    [setParams, state, defaults],
  );

  return [state, update] as const;
}
