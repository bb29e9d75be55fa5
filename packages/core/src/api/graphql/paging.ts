/**
 * Connections as orchestrator-core answers them: `after` is an offset (not an opaque cursor), a page is `first` rows
 * from it; `pageInfo` tells whether there is more, the offsets of its first and last rows, the total count of the
 * filtered list, and the fields one may sort and filter on.
 */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";
import { filterFields, sortFields, type PageRequest } from "./arguments.js";

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: number | null;
  endCursor: number | null;
  totalItems: number;
  sortFields: string[];
  filterFields: string[];
}

export interface Connection<T> {
  page: T[];
  pageInfo: PageInfo;
}

/** The connection of a page: `rows` as read (up to first + 1 of them), `total` the count of the filtered list. */
export function toConnection<T>(request: PageRequest, rows: readonly T[], total: number): Connection<T> {
  const page = rows.slice(0, request.first);
  return {
    page,
    pageInfo: {
      hasNextPage: rows.length > request.first,
      hasPreviousPage: request.after > 0,
      startCursor: page.length > 0 ? request.after : null,
      endCursor: request.after + page.length - 1,
      totalItems: total,
      sortFields: sortFields(request.spec),
      filterFields: filterFields(request.spec),
    },
  };
}

/** Whether the query selects the connection's `page` (a count alone needs no rows: the products summary asks so). */
export function selectsPage(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && selects(node.selectionSet, "page", info));
}

function selects(set: SelectionSetNode, name: string, info: GraphQLResolveInfo): boolean {
  return set.selections.some((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === name;
    if (selection.kind === Kind.INLINE_FRAGMENT) return selects(selection.selectionSet, name, info);
    const fragment = info.fragments[selection.name.value];
    return fragment !== undefined && selects(fragment.selectionSet, name, info);
  });
}
