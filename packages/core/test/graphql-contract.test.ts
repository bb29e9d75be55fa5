/**
 * The contract with the stock WFO UI: every GraphQL document of the published UI package (see support/wfo-ui.ts;
 * fetched with npm pack at a pinned version, never copied into the repository) validates against our schema, and,
 * run with the variables its page would send against a server with the beginner's subscriptions, answers without
 * errors and with the rows and fields the page reads.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildSchema, Kind, parse, validate, type OperationDefinitionNode } from "graphql";
import { SCHEMA } from "../src/api/graphql/schema.js";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";
import { graphql, seedBeginner, type BeginnerData } from "./support/graphql.js";
import { uiDocuments, WFO_UI_VERSION, type UiDocument } from "./support/wfo-ui.js";

describe(`the WFO UI ${WFO_UI_VERSION}'s GraphQL documents (${backend})`, () => {
  let documents: UiDocument[];
  let t: TestServer;
  let data: BeginnerData;
  let processId: string;

  before(async () => {
    documents = uiDocuments();
    t = await startTestServer({ env: { RUN_SCHEDULER: "false" } });
    data = await seedBeginner(t, 2);
    await t.request("POST", "/api/schedules", { name: "nightly validation", workflow_name: "task_validate_products", trigger: "cron", cron: "0 3 * * *" });
    const list = await graphql(t, `{ processes(filterBy: { field: "workflowName", value: "create_user_group" }) { page { processId } } }`);
    processId = list.body.data.processes.page[0].processId;
  });
  after(() => t?.close());

  it("finds the documents in the package", () => {
    const names = new Set(documents.map((d) => d.name));
    for (const name of ["ProcessList", "ProcessDetail", "SubscriptionDetail", "RelatedSubscriptions", "StartOptions", "MetadataProducts", "ScheduledTasks", "Versions"]) {
      assert.ok(names.has(name), `${name} not among ${[...names].join(", ")}`);
    }
    assert.ok(documents.length >= 20, String(documents.length));
  });

  it("validates every document against the schema", () => {
    const schema = buildSchema(SCHEMA);
    const failures = documents.flatMap((d) => validate(schema, parse(d.text)).map((e) => `${d.file} ${d.name}: ${e.message}`));
    assert.deepEqual(failures, []);
  });

  /** The variables a page sends (by name): the seeded group, its users, a process, a workflow. */
  function variablesOf(document: UiDocument): Record<string, unknown> {
    const operation = parse(document.text).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const values: Record<string, unknown> = {
      first: 10,
      after: 0,
      subscriptionId: data.group,
      subscriptionIds: data.users.join("|"),
      processId,
      processName: "create_user_group",
      workflowName: "create_user_group",
      customerId: "59289a57-70fb-4ff5-9c93-10fe67b12434",
      // the process lists sort by a column; the other lists take their default order
      ...(/^Process/.test(document.name) ? { sortBy: [{ field: "startedAt", order: "DESC" }] } : {}),
    };
    const variables: Record<string, unknown> = {};
    for (const definition of operation.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      if (name in values) variables[name] = values[name];
      else assert.notEqual(definition.type.kind, Kind.NON_NULL_TYPE, `${document.name}: no value for the required $${name}`);
    }
    return variables;
  }

  it("runs every document without errors, with rows where the page reads them", async () => {
    for (const document of documents) {
      const r = await graphql(t, document.text, variablesOf(document));
      assert.equal(r.status, 200, `${document.name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.errors, undefined, `${document.name} (${document.file}): ${JSON.stringify(r.body.errors)}`);
      for (const [field, value] of Object.entries(r.body.data as Record<string, any>)) {
        if (value && "page" in value) assert.ok(value.page.length > 0, `${document.name}: ${field} has no rows`);
      }
    }
  });

  it("answers the fields the detail pages read", async () => {
    const byName = (name: string) => documents.find((d) => d.name === name)!;
    const subscription = (await graphql(t, byName("SubscriptionDetail").text, { subscriptionId: data.users[0] })).body.data.subscriptions.page[0];
    assert.equal(subscription.subscriptionId, data.users[0]);
    assert.ok(subscription.productBlockInstances.length >= 2);
    assert.ok(subscription.productBlockInstances.some((b: any) => b.subscription.subscriptionId === data.group && b.inUseByRelations.some((u: any) => u.subscription_id === data.users[0])));
    assert.ok(subscription.productBlockInstances.every((b: any) => b.productBlockInstanceValues.some((v: any) => v.field === "name")));
    assert.ok(subscription.processes.page.length >= 2);
    const process = (await graphql(t, byName("ProcessDetail").text, { processId })).body.data.processes.page[0];
    assert.equal(process.processId, processId);
    assert.ok(process.steps.length > 0 && process.steps.every((s: any) => typeof s.status === "string"));
    assert.equal(typeof process.userPermissions.retryAllowed, "boolean");
    const related = (await graphql(t, byName("RelatedSubscriptions").text, { subscriptionId: data.group, first: 10, after: 0 })).body.data.subscriptions.page[0];
    assert.equal(related.inUseBySubscriptions.pageInfo.totalItems, data.users.length);
    const steps = (await graphql(t, byName("ProcessSteps").text, { processName: "create_user" })).body.data.workflows.page[0].steps;
    assert.equal(steps[0].name, "Start");
  });
});
