/** The connection resolvers' shared shape: arguments → list query (with the parsed `query`) → page → connection. */
import type { GraphQLResolveInfo } from "graphql";
import type { ListSpec } from "../../list-query.js";
import { parseListArgs, type ListArgs, type PageRequest } from "../arguments.js";
import type { GraphqlContext } from "../context.js";
import { selectsPage, toConnection, type Connection } from "../paging.js";
import { queryCondition, type QueryTarget } from "../search-query.js";

/** The page request of a root list, its free-text query among the conditions. */
export function rootRequest(args: ListArgs, spec: ListSpec, target: QueryTarget | undefined, context: GraphqlContext, info: GraphQLResolveInfo, defaultFirst?: number): PageRequest {
  const request = parseListArgs(args, spec, context, info, defaultFirst);
  const condition = target ? queryCondition(args.query, target) : undefined;
  if (condition) request.list.where = [condition];
  return request;
}

/** A root list's connection from a reader of one page and its total. */
export async function rootConnection<T>(
  args: ListArgs,
  spec: ListSpec,
  target: QueryTarget,
  context: GraphqlContext,
  info: GraphQLResolveInfo,
  read: (request: PageRequest, withItems: boolean) => Promise<{ items: T[]; total: number }>,
): Promise<Connection<T>> {
  const request = rootRequest(args, spec, target, context, info);
  const { items, total } = await read(request, selectsPage(info));
  return toConnection(request, items, total);
}

/** The key of a nested connection's arguments: parents asking the same share a loader (and its one query). */
export const argsKey = (args: ListArgs) => JSON.stringify([args.filterBy ?? null, args.sortBy ?? null, args.first ?? null, args.after ?? null]);
