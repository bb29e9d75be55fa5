/** Small pieces the resolvers of every type share. */
import { GraphQLScalarType, Kind } from "graphql";
import type { Settings } from "../../../settings.js";

/** A stored value as an enum name: `pre production` → PRE_PRODUCTION, `completed` → COMPLETED. */
export const enumName = (value: string | null | undefined): string | null => (value == null ? null : value.trim().toUpperCase().replace(/[\s-]+/g, "_"));

/** Resolvers that read each camelCase field from the row's snake_case column. */
export function snakeFields<Row>(fields: readonly string[]): Record<string, (row: Row) => unknown> {
  return Object.fromEntries(
    fields.map((field) => {
      const column = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      return [field, (row: Row) => (row as Record<string, unknown>)[column]];
    }),
  );
}

/** The one customer orchestrator-core knows: the default customer of the settings. */
export function defaultCustomer(settings: Settings) {
  return { customerId: settings.DEFAULT_CUSTOMER_IDENTIFIER, fullname: settings.DEFAULT_CUSTOMER_FULLNAME, shortcode: settings.DEFAULT_CUSTOMER_SHORTCODE };
}

const asIso = (value: unknown): string => {
  const date = value instanceof Date ? value : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new TypeError(`Not a timestamp: ${String(value)}`);
  return date.toISOString();
};

export const scalars = {
  DateTime: new GraphQLScalarType({
    name: "DateTime",
    description: "An ISO-8601 timestamp",
    serialize: asIso,
    parseValue: asIso,
    parseLiteral: (ast) => (ast.kind === Kind.STRING ? asIso(ast.value) : null),
  }),
  UUID: new GraphQLScalarType({
    name: "UUID",
    description: "A UUID as text",
    serialize: (value) => String(value),
    parseValue: (value) => String(value),
    parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null),
  }),
  JSON: new GraphQLScalarType({
    name: "JSON",
    description: "Any JSON value",
    serialize: (value) => value,
    parseValue: (value) => value,
  }),
};
