/**
 * `/api/search`: orchestrator-core's search of subscriptions as the WFO UI 9 calls it (its subscription list and the
 * start page's subscription cards) — `POST /search/subscriptions` with a structured filter, free text, an order and
 * cursor paging — and the filter builder's `GET /search/paths` and `GET /search/definitions`. Over the tables
 * themselves (../queries/search.ts): there is no search index to fill or reset. Bad input is a 400 naming the field
 * and the limit, like the lists' parameters.
 */
import type { FastifyError, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ApiContext, ZodApp } from "../app.js";
import { badRequest, validationDetail, validationField } from "../problem.js";
import {
  decodeCursor,
  encodeCursor,
  SEARCH_LIMITS,
  searchDefinitions,
  searchFingerprint,
  searchPaths,
  searchSubscriptions,
  type Customer,
} from "../queries/search.js";

const tags = ["search"];

const searchBody = z.strictObject({
  query: z.string().max(SEARCH_LIMITS.maxQuery, { error: `at most ${SEARCH_LIMITS.maxQuery} characters` }).nullable().optional().describe("Free text"),
  filters: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .describe("A filter tree {op: AND|OR, children: [{path, condition: {op, value}} | group]}, or an Elasticsearch query (bool, term, range, wildcard, regexp, exists)"),
  limit: z
    .number({ error: "must be a number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "at least 1" })
    .max(SEARCH_LIMITS.maxLimit, { error: `at most ${SEARCH_LIMITS.maxLimit} rows per page` })
    .nullable()
    .optional()
    .describe(`Rows per page, 1 to ${SEARCH_LIMITS.maxLimit}; default ${SEARCH_LIMITS.defaultLimit}, or the cursor's`),
  retriever: z.enum(["fuzzy", "semantic", "hybrid", "auto"]).nullable().optional().describe("Only fuzzy (or none) here: there are no embeddings"),
  order_by: z
    .strictObject({ element: z.string().max(200, { error: "at most 200 characters" }), direction: z.enum(["asc", "desc"]).default("asc") })
    .nullable()
    .optional()
    .describe("A path to order by (only without a query); default subscription.start_date desc"),
  response_columns: z
    .array(z.string().max(200, { error: "at most 200 characters" }))
    .max(SEARCH_LIMITS.maxColumns, { error: `at most ${SEARCH_LIMITS.maxColumns} columns` })
    .nullable()
    .optional()
    .describe("Paths whose values each row carries in response_columns"),
});

const searchQuerystring = z.object({
  cursor: z.string().max(200, { error: "at most 200 characters" }).optional().describe("next_page_cursor of the page before, with the same body"),
  include_columns: z.enum(["true", "false"]).optional().describe("false: no response_columns"),
});

const matchingField = z.object({ text: z.string(), path: z.string(), highlight_indices: z.array(z.tuple([z.number(), z.number()])) });
const searchResults = z.object({
  data: z.array(
    z.object({
      entity_id: z.string(),
      entity_type: z.literal("SUBSCRIPTION"),
      entity_title: z.string(),
      score: z.number(),
      perfect_match: z.number(),
      matching_fields: z.array(matchingField),
      response_columns: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
  page_info: z.object({ has_next_page: z.boolean(), next_page_cursor: z.string().nullable() }),
  search_metadata: z.object({ search_type: z.string(), description: z.string() }).nullable(),
  cursor: z.object({ total_items: z.number(), start_cursor: z.number(), end_cursor: z.number() }).nullable(),
});

const entityTypes = ["SUBSCRIPTION", "PRODUCT", "WORKFLOW", "PROCESS"] as const;
const pathsQuerystring = z.object({
  q: z.string().max(200, { error: "at most 200 characters" }).optional().describe("Part of a path or field name"),
  prefix: z.string().max(200, { error: "at most 200 characters" }).optional().describe("The paths' start"),
  entity_type: z.enum(entityTypes).default("SUBSCRIPTION"),
  limit: z
    .string()
    .regex(/^\d{1,2}$/, { error: "a number from 1 to 10" })
    .transform(Number)
    .refine((n) => n >= 1 && n <= 10, { error: "a number from 1 to 10" })
    .optional(),
});
const leaf = z.object({ name: z.string(), ui_types: z.array(z.string()), paths: z.array(z.string()) });
const pathsAnswer = z.object({ leaves: z.array(leaf), components: z.array(z.object({ name: z.string(), ui_types: z.array(z.string()) })) });
const valueSchema = z.object({ kind: z.string(), fields: z.record(z.string(), z.object({ kind: z.string() })).optional() });
const definitionsAnswer = z.record(z.string(), z.object({ operators: z.array(z.string()), value_schema: z.record(z.string(), valueSchema) }));

/** Request validation (bad body or query string) as a 400 naming the field, like the lists' parameters. */
function refuseInvalid(request: FastifyRequest): void {
  const error = (request as FastifyRequest & { validationError?: FastifyError }).validationError;
  if (error) throw badRequest(validationDetail(error), validationField(error));
}

const STRUCTURED = { search_type: "structured", description: "Filters (paths, operators and values) over the subscriptions and their products." };
const TEXT = {
  search_type: "fuzzy",
  description: "Full-text match (every word the start of a word) and substring match over the subscription, its product and its product blocks' values; ranked by relevance.",
};

export async function searchRoutes(app: ZodApp, ctx: ApiContext): Promise<void> {
  const db = ctx.database.db;
  const customer: Customer = { fullname: ctx.settings.DEFAULT_CUSTOMER_FULLNAME, shortcode: ctx.settings.DEFAULT_CUSTOMER_SHORTCODE };

  app.post(
    "/search/subscriptions",
    {
      attachValidation: true,
      schema: {
        tags,
        summary: "Search subscriptions: filters, free text, order, cursor paging (orchestrator-core's search API)",
        body: searchBody,
        querystring: searchQuerystring,
        response: { 200: searchResults },
      },
    },
    async (request) => {
      refuseInvalid(request);
      const body = request.body;
      const query = body.query?.trim() ? body.query : undefined;
      if (body.order_by && query) throw badRequest("Invalid order_by: only allowed when query is empty (results of a query are ordered by relevance)", "order_by");
      if (body.retriever && body.retriever !== "auto") {
        if (!query) throw badRequest(`Invalid retriever: ${body.retriever} needs a query`, "retriever");
        if (body.retriever !== "fuzzy") throw badRequest(`Invalid retriever: ${body.retriever} search needs embeddings, which this server does not have; use fuzzy or leave retriever out`, "retriever");
      }
      const search = searchFingerprint(body);
      const cursor = request.query.cursor ? decodeCursor(request.query.cursor, search) : undefined;
      const limit = body.limit ?? cursor?.limit ?? SEARCH_LIMITS.defaultLimit;
      const offset = cursor?.offset ?? 0;
      const input = {
        query,
        filters: body.filters,
        limit,
        offset,
        order_by: body.order_by,
        response_columns: body.response_columns,
        includeColumns: request.query.include_columns !== "false",
      };
      const { rows, total } = await ctx.reads
        .read(`search subscriptions ${JSON.stringify(input)}`, () => searchSubscriptions(db, input, customer))
        .catch((error: unknown) => {
          // a regexp filter PostgreSQL cannot compile (its syntax is PostgreSQL's, found out when the search runs)
          if ((error as { code?: string }).code === "2201B") throw badRequest(`Invalid filter: a regular expression PostgreSQL cannot use: ${(error as Error).message}`, "filters");
          throw error;
        });
      const search_metadata = query ? TEXT : STRUCTURED;
      if (rows.length === 0) return { data: [], page_info: { has_next_page: false, next_page_cursor: null }, search_metadata, cursor: null };
      const next = offset + rows.length < total ? encodeCursor({ offset: offset + rows.length, limit, search }) : null;
      return {
        data: rows,
        page_info: { has_next_page: next !== null, next_page_cursor: next },
        search_metadata,
        cursor: { total_items: total, start_cursor: offset, end_cursor: offset + rows.length - 1 },
      };
    },
  );

  app.get(
    "/search/paths",
    {
      attachValidation: true,
      schema: { tags, summary: "The paths the filter builder offers: leaves (field names with their full paths and UI types) and components", querystring: pathsQuerystring, response: { 200: pathsAnswer } },
    },
    async (request) => {
      refuseInvalid(request);
      const { q, prefix, entity_type, limit } = request.query;
      return searchPaths(entity_type, q, prefix, limit ?? 10, customer);
    },
  );

  app.get(
    "/search/definitions",
    { schema: { tags, summary: "Per UI type (string, number, boolean, datetime, component): its operators and the values they take", response: { 200: definitionsAnswer } } },
    async () => searchDefinitions(),
  );
}
