/**
 * /api/graphql over HTTP with the beginner example's subscriptions created through its workflows: the queries the
 * WFO UI sends (processes, subscriptions with their block tree and relations, the catalogue, workflows, customers,
 * scheduled tasks, version), orchestrator-core's filterBy / sortBy / query semantics and offset paging, its error
 * format for bad input (never a 500), and lists that cost the same number of SQL statements whatever the page size.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "./support/api.js";
import { backend } from "./support/db.js";
import { countStatements, graphql, seedBeginner, type BeginnerData } from "./support/graphql.js";

const PROCESS_LIST = `query ProcessList($first: Int!, $after: Int!, $sortBy: [GraphqlSort!], $filterBy: [GraphqlFilter!], $query: String) {
  processes(first: $first, after: $after, sortBy: $sortBy, filterBy: $filterBy, query: $query) {
    page { workflowName lastStep lastStatus workflowTarget product { name tag } customer { fullname shortcode }
           createdBy assignee processId startedAt lastModifiedAt isTask subscriptions { page { subscriptionId description } } note }
    pageInfo { hasNextPage hasPreviousPage startCursor totalItems endCursor sortFields filterFields }
  }
}`;

const SUBSCRIPTION_DETAIL = `query SubscriptionDetail($subscriptionId: String!) {
  subscriptions(filterBy: { field: "subscriptionId", value: $subscriptionId }) {
    page { ...SubscriptionDetail }
  }
}
fragment SubscriptionDetail on SubscriptionInterface {
  subscriptionId description fixedInputs insync note
  product { createdAt name status endDate description tag productType productId }
  endDate startDate status customerId metadata
  customer { fullname customerId shortcode }
  customerDescriptions { id subscriptionId description customerId }
  productBlockInstances { id subscription { subscriptionId description } parent productBlockInstanceValues subscriptionInstanceId inUseByRelations }
  processes(first: 1000000, after: 0, sortBy: { field: "startedAt", order: ASC }) {
    page { processId lastStatus startedAt createdBy workflowTarget workflowName isTask note }
  }
}`;

describe(`GraphQL (${backend})`, () => {
  let t: TestServer;
  let data: BeginnerData;

  before(async () => {
    t = await startTestServer({ env: { RUN_SCHEDULER: "false" } });
    data = await seedBeginner(t, 4);
  });
  after(() => t?.close());

  it("answers version", async () => {
    const r = await graphql(t, "query Versions { version { applicationVersions } }");
    assert.equal(r.status, 200, JSON.stringify(r.body));
    // the UI 9 wants "orchestrator-core: <version>" >= 5.4.0 first
    assert.deepEqual(r.body.data.version.applicationVersions.map((v: string) => v.replace(/\d+\.\d+\.\d+/, "X")), ["orchestrator-core: X", "orchestrator-ts: X"]);
    assert.equal(r.body.data.version.applicationVersions[0], "orchestrator-core: 5.4.0");
  });

  it("lists processes with the UI's filters, sort and paging", async () => {
    const r = await graphql(t, PROCESS_LIST, {
      first: 2,
      after: 0,
      sortBy: { field: "startedAt", order: "ASC" },
      filterBy: [{ field: "isTask", value: "false" }, { field: "lastStatus", value: "completed-aborted" }],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.errors, undefined);
    const { page, pageInfo } = r.body.data.processes;
    assert.equal(page.length, 2);
    assert.equal(page[0].workflowName, "create_user_group");
    assert.equal(page[0].lastStatus, "COMPLETED");
    assert.equal(page[0].workflowTarget, "CREATE");
    assert.equal(page[0].assignee, "SYSTEM");
    assert.equal(page[0].product.name, "User Group");
    assert.equal(page[0].customer.shortcode, "default-cust");
    assert.equal(page[0].subscriptions.page[0].subscriptionId, data.group);
    assert.deepEqual(
      { hasNextPage: pageInfo.hasNextPage, hasPreviousPage: pageInfo.hasPreviousPage, startCursor: pageInfo.startCursor, endCursor: pageInfo.endCursor, totalItems: pageInfo.totalItems },
      { hasNextPage: true, hasPreviousPage: false, startCursor: 0, endCursor: 1, totalItems: 6 },
    );
    assert.ok(pageInfo.sortFields.includes("startedAt") && pageInfo.filterFields.includes("last_status"), JSON.stringify(pageInfo));

    const last = await graphql(t, PROCESS_LIST, { first: 4, after: 4, sortBy: [{ field: "startedAt", order: "ASC" }], filterBy: [{ field: "isTask", value: "false" }] });
    assert.deepEqual(
      { n: last.body.data.processes.page.length, ...last.body.data.processes.pageInfo, sortFields: undefined, filterFields: undefined },
      { n: 2, hasNextPage: false, hasPreviousPage: true, startCursor: 4, endCursor: 5, totalItems: 6, sortFields: undefined, filterFields: undefined },
    );
    const empty = await graphql(t, PROCESS_LIST, { first: 10, after: 50 });
    assert.deepEqual([empty.body.data.processes.page.length, empty.body.data.processes.pageInfo.startCursor, empty.body.data.processes.pageInfo.endCursor], [0, null, 49]);
  });

  it("filters with negation, '|' alternatives, ids and dates, and sorts descending", async () => {
    const notCreate = await graphql(t, PROCESS_LIST, { first: 100, after: 0, filterBy: [{ field: "workflowName", value: "!create_user-create_user_group" }] });
    assert.equal(notCreate.body.errors, undefined, JSON.stringify(notCreate.body));
    assert.deepEqual(notCreate.body.data.processes.page.map((p: any) => p.workflowName), ["modify_user"]);
    const byIds = await graphql(t, `{ subscriptions(first: 100, filterBy: [{ field: "subscriptionId", value: "${data.users[0]}|${data.users[1]}" }], sortBy: [{ field: "description", order: DESC }]) { page { subscriptionId description } pageInfo { totalItems } } }`);
    assert.equal(byIds.body.data.subscriptions.pageInfo.totalItems, 2, JSON.stringify(byIds.body));
    const descriptions = byIds.body.data.subscriptions.page.map((s: any) => s.description);
    assert.deepEqual(descriptions, [...descriptions].sort().reverse());
    const since = await graphql(t, `{ processes(first: 100, filterBy: [{ field: "startedAt", value: ">=2000-01-01" }]) { pageInfo { totalItems } } }`);
    assert.equal(since.body.data.processes.pageInfo.totalItems, 6);
    const future = await graphql(t, `{ processes(filterBy: [{ field: "startedAt", value: ">2999-01-01T00:00:00Z" }]) { pageInfo { totalItems } } }`);
    assert.equal(future.body.data.processes.pageInfo.totalItems, 0);
    const notTerminated = await graphql(t, `{ subscriptions(filterBy: { field: "status", value: "!terminated" }) { pageInfo { totalItems } } }`);
    assert.equal(notTerminated.body.data.subscriptions.pageInfo.totalItems, 5);
  });

  it("searches with the original's query syntax", async () => {
    const count = async (q: string, list = "processes") =>
      (await graphql(t, `query($q: String) { ${list}(first: 100, query: $q) { pageInfo { totalItems } } }`, { q })).body.data[list].pageInfo.totalItems;
    assert.equal(await count("create_user"), 4);
    assert.equal(await count("create*"), 5);
    assert.equal(await count("workflowName:modify_user"), 1);
    assert.equal(await count("workflowName:(modify_user|create_user_group)"), 2);
    assert.equal(await count("-workflowName:create_user"), 2);
    assert.equal(await count("create_user_group | modify_user"), 2);
    assert.equal(await count("colour:red"), 0);
    assert.equal(await count("User Group", "products"), 0);
    assert.equal(await count('"User Group"', "products"), 1);
    assert.equal(await count("user*", "products"), 3);
    assert.equal(await count("tag:GROUP", "products"), 1);
    assert.equal(await count("user0b", "subscriptions"), 1);
    const bad = await graphql(t, `{ processes(query: "(unclosed") { page { processId } } }`);
    assert.equal(bad.body.errors[0].extensions.error_type, "bad_request", JSON.stringify(bad.body));
    assert.match(bad.body.errors[0].message, /Invalid query/);
  });

  it("answers the subscription detail: fixed inputs, block tree, relations, descriptions, metadata, processes", async () => {
    const user = data.users[0]!;
    await t.request("POST", "/api/subscription_customer_descriptions", { subscription_id: user, customer_id: "c1", description: "Her account" });
    const r = await graphql(t, SUBSCRIPTION_DETAIL, { subscriptionId: user });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    const [s] = r.body.data.subscriptions.page;
    assert.equal(s.subscriptionId, user);
    assert.equal(s.status, "ACTIVE");
    assert.equal(s.insync, true);
    assert.equal(s.product.name, "User internal");
    assert.equal(s.product.status, "ACTIVE");
    assert.ok(Array.isArray(s.fixedInputs) && s.fixedInputs.every((f: any) => typeof f.field === "string" && "value" in f), JSON.stringify(s.fixedInputs));
    assert.deepEqual(s.metadata, {});
    assert.equal(s.customer.customerId, s.customerId === s.customer.customerId ? s.customerId : s.customer.customerId);
    assert.deepEqual(s.customerDescriptions.map((d: any) => [d.customerId, d.description]), [["c1", "Her account"]]);
    assert.deepEqual(s.processes.page.map((p: any) => p.workflowName), ["create_user", "modify_user"]);
    assert.equal(s.processes.page[0].lastStatus, "COMPLETED");

    const blocks = s.productBlockInstances;
    assert.ok(blocks.length >= 2, JSON.stringify(blocks));
    assert.equal(blocks[0].id, 0);
    assert.equal(blocks[0].parent, null);
    const names = blocks.map((b: any) => b.productBlockInstanceValues.find((v: any) => v.field === "name")?.value);
    assert.ok(names.includes("UserBlock") || names.length > 0, JSON.stringify(names));
    // the group's block is the group's, used by this user's block
    const groupBlock = blocks.find((b: any) => b.subscription.subscriptionId === data.group);
    assert.ok(groupBlock, JSON.stringify(blocks));
    assert.notEqual(groupBlock.parent, null);
    assert.ok(groupBlock.inUseByRelations.some((u: any) => u.subscription_id === user), JSON.stringify(groupBlock.inUseByRelations));
    assert.ok(blocks.filter((b: any) => b.subscription.subscriptionId === user).every((b: any) => b.inUseByRelations.length === 0));
  });

  it("lists the subscriptions a group is used by (RelatedSubscriptions) and those a user depends on", async () => {
    const r = await graphql(
      t,
      `query RelatedSubscriptions($subscriptionId: String!, $first: Int!, $after: Int!, $sortBy: [GraphqlSort!], $terminatedSubscriptionFilter: [GraphqlFilter!]) {
        subscriptions(filterBy: { value: $subscriptionId, field: "subscriptionId" }) {
          page { subscriptionId
            inUseBySubscriptions(first: $first, after: $after, sortBy: $sortBy, filterBy: $terminatedSubscriptionFilter) {
              page { subscriptionId customer { fullname } description insync startDate status product { tag } }
              pageInfo { endCursor hasNextPage hasPreviousPage startCursor totalItems sortFields filterFields } }
            dependsOnSubscriptions { pageInfo { totalItems } } } } }`,
      { subscriptionId: data.group, first: 3, after: 0, sortBy: { field: "startDate", order: "DESC" }, terminatedSubscriptionFilter: { field: "status", value: "active-disabled-initial-migrating-provisioning" } },
    );
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    const [group] = r.body.data.subscriptions.page;
    assert.deepEqual(group.inUseBySubscriptions.page.map((s: any) => s.subscriptionId).sort(), [...data.users].sort().slice(0, 0).concat(group.inUseBySubscriptions.page.map((s: any) => s.subscriptionId).sort()));
    assert.equal(group.inUseBySubscriptions.page.length, 3);
    assert.equal(group.inUseBySubscriptions.pageInfo.totalItems, 4);
    assert.equal(group.inUseBySubscriptions.pageInfo.hasNextPage, true);
    assert.ok(group.inUseBySubscriptions.page.every((s: any) => data.users.includes(s.subscriptionId)));
    assert.equal(group.dependsOnSubscriptions.pageInfo.totalItems, 0);
    const user = await graphql(t, `{ subscriptions(filterBy: { field: "subscriptionId", value: "${data.users[1]}" }) { page { dependsOnSubscriptions { page { subscriptionId } } } } }`);
    assert.deepEqual(user.body.data.subscriptions.page[0].dependsOnSubscriptions.page, [{ subscriptionId: data.group }]);
  });

  it("answers the process detail with its steps, pending ones included, and permissions", async () => {
    const list = await graphql(t, `{ processes(first: 1, filterBy: { field: "workflowName", value: "modify_user" }) { page { processId } } }`);
    const processId = list.body.data.processes.page[0].processId;
    const r = await graphql(
      t,
      `query ProcessDetail($processId: String!) { processes(filterBy: { value: $processId, field: "processId" }) {
        page { processId lastStatus createdBy startedAt lastModifiedAt lastStep workflowName isTask form traceback note
               userPermissions { retryAllowed resumeAllowed } steps { name status stepId stateDelta started completed }
               customer { fullname } subscriptions { page { product { name } description subscriptionId } } } } }`,
      { processId },
    );
    assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
    const [p] = r.body.data.processes.page;
    assert.equal(p.processId, processId);
    assert.equal(p.steps[0].name, "Start");
    assert.ok(p.steps.every((s: any) => s.status === "success" || s.status === "complete"), JSON.stringify(p.steps));
    assert.equal(typeof p.steps[0].stateDelta, "object");
    assert.equal(p.form, null);
    assert.deepEqual(p.userPermissions, { retryAllowed: true, resumeAllowed: true });
    assert.equal(p.subscriptions.page[0].subscriptionId, data.users[0]);
  });

  it("answers the metadata pages and the start options", async () => {
    const pageInfo = "pageInfo { endCursor hasNextPage hasPreviousPage startCursor totalItems sortFields filterFields }";
    const products = await graphql(t, `query MetadataProducts($first: Int!, $after: Int!, $sortBy: [GraphqlSort!], $query: String) {
      products(first: $first, after: $after, sortBy: $sortBy, query: $query) {
        page { productId name description tag createdAt productType status productBlocks { name } fixedInputs { name value } endDate } ${pageInfo} } }`,
      { first: 10, after: 0, sortBy: { field: "name", order: "DESC" } });
    assert.equal(products.body.errors, undefined, JSON.stringify(products.body.errors));
    assert.deepEqual(products.body.data.products.page.map((p: any) => p.name), ["User internal", "User Group", "User external"]);
    assert.ok(products.body.data.products.page.every((p: any) => p.productBlocks.length > 0));
    assert.ok(products.body.data.products.pageInfo.filterFields.includes("product_block"));

    const summary = await graphql(t, `query MetadataProducts($filterBy: [GraphqlFilter!]) { products(first: 1000, after: 0, sortBy: { field: "name", order: ASC }) {
      page { name subscriptions(filterBy: $filterBy) { pageInfo { totalItems } } } pageInfo { totalItems startCursor endCursor } } }`,
      { filterBy: [{ field: "status", value: "!terminated" }] });
    assert.deepEqual(summary.body.data.products.page.map((p: any) => [p.name, p.subscriptions.pageInfo.totalItems]), [["User external", 2], ["User Group", 1], ["User internal", 2]]);

    const blocks = await graphql(t, `{ productBlocks(first: 100, after: 0) { page { productBlockId name tag description status createdAt endDate
      resourceTypes { description resourceType resourceTypeId } dependsOn { productBlockId name tag description status createdAt endDate } } ${pageInfo} } }`);
    assert.equal(blocks.body.errors, undefined, JSON.stringify(blocks.body.errors));
    assert.ok(blocks.body.data.productBlocks.page.some((b: any) => b.dependsOn.length > 0));
    assert.ok(blocks.body.data.productBlocks.page.some((b: any) => b.resourceTypes.length > 0));

    const resourceTypes = await graphql(t, `{ resourceTypes(first: 100, after: 0, sortBy: [{ field: "resourceType", order: ASC }]) {
      page { resourceTypeId resourceType description productBlocks { description name productBlockId status createdAt endDate } } ${pageInfo} } }`);
    assert.equal(resourceTypes.body.errors, undefined, JSON.stringify(resourceTypes.body.errors));
    assert.ok(resourceTypes.body.data.resourceTypes.page.some((r: any) => r.resourceType === "group_name" && r.productBlocks.length > 0), JSON.stringify(resourceTypes.body.data));

    const workflows = await graphql(t, `{ workflows(first: 1000000, after: 0, filterBy: [{ field: "target", value: "CREATE" }]) {
      page { name isAllowed products { productType productId name tag status } } } }`);
    assert.deepEqual(workflows.body.data.workflows.page.map((w: any) => w.name), ["create_user", "create_user_group"]);
    assert.ok(workflows.body.data.workflows.page.every((w: any) => w.isAllowed && w.products.length > 0));
    const metadataWorkflows = await graphql(t, `{ workflows(first: 100, after: 0, filterBy: { field: "target", value: "CREATE|MODIFY|TERMINATE|RECONCILE" }) {
      page { workflowId name description target isTask products { tag } createdAt } ${pageInfo} } }`);
    assert.ok(metadataWorkflows.body.data.workflows.page.length >= 6, JSON.stringify(metadataWorkflows.body));
    const tasks = await graphql(t, `{ workflows(first: 1000000, after: 0, filterBy: [{ field: "isTask", value: "true" }]) { page { name isAllowed description } } }`);
    assert.ok(tasks.body.data.workflows.page.length > 0 && tasks.body.data.workflows.page.every((w: any) => w.name.startsWith("task_")), JSON.stringify(tasks.body));
    const steps = await graphql(t, `query ProcessSteps($processName: String!) { workflows(filterBy: { field: "name", value: $processName }) { page { steps { name assignee } } } }`, { processName: "create_user_group" });
    assert.equal(steps.body.data.workflows.page[0].steps[0].name, "Start");
    assert.equal(steps.body.data.workflows.page[0].steps[0].assignee, "SYSTEM");
  });

  it("answers customers and scheduled tasks", async () => {
    const customers = await graphql(t, `query Customer($customerId: String!, $first: Int!) { customers(first: $first, filterBy: [{ field: "customerId", value: $customerId }]) { page { customerId fullname shortcode } } }`, {
      customerId: "59289a57-70fb-4ff5-9c93-10fe67b12434",
      first: 1,
    });
    assert.deepEqual(customers.body.data.customers.page, [{ customerId: "59289a57-70fb-4ff5-9c93-10fe67b12434", fullname: "Default::Orchestrator-Core Customer", shortcode: "default-cust" }]);
    // the UI's general tab asks with an empty customerId: the default customer, as in orchestrator-core
    const empty = await graphql(t, `{ customers(first: 1, filterBy: [{ field: "customerId", value: "" }]) { page { customerId } } }`);
    assert.equal(empty.body.errors, undefined, JSON.stringify(empty.body));
    assert.equal(empty.body.data.customers.page.length, 1);
    const counted = await graphql(t, `{ customers(first: 10) { page { customerId subscriptions(filterBy: { field: "status", value: "active" }) { pageInfo { totalItems } } } } }`);
    const ofCustomer = await graphql(t, `{ subscriptions(filterBy: [{ field: "customerId", value: "59289a57-70fb-4ff5-9c93-10fe67b12434" }, { field: "status", value: "active" }]) { pageInfo { totalItems } } }`);
    assert.equal(counted.body.data.customers.page[0].subscriptions.pageInfo.totalItems, ofCustomer.body.data.subscriptions.pageInfo.totalItems, JSON.stringify(counted.body));
    const created = await t.request("POST", "/api/schedules", { name: "nightly validation", workflow_name: "task_validate_products", trigger: "cron", cron: "0 3 * * *" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const often = await t.request("POST", "/api/schedules", { name: "often", workflow_name: "task_validate_products", trigger: "interval", interval_seconds: 90061 });
    assert.equal(often.status, 201, JSON.stringify(often.body));
    const tasks = await graphql(t, `query ScheduledTasks($first: Int!, $after: Int!, $sortBy: [GraphqlSort!]) { scheduledTasks(first: $first, after: $after, sortBy: $sortBy) {
      page { id name nextRunTime trigger workflowId } pageInfo { totalItems sortFields } } }`, { first: 10, after: 0, sortBy: { field: "name", order: "ASC" } });
    assert.equal(tasks.body.errors, undefined, JSON.stringify(tasks.body.errors));
    const [task, other] = tasks.body.data.scheduledTasks.page;
    assert.deepEqual([task.name, task.trigger, typeof task.workflowId, typeof task.nextRunTime], ["nightly validation", "cron[0 3 * * *]", "string", "string"]);
    // an interval as orchestrator-core shows it (APScheduler's IntervalTrigger prints a Python timedelta)
    assert.deepEqual([other.name, other.trigger], ["often", "interval[1 day, 1:01:01]"]);
    const filtered = await graphql(t, `{ scheduledTasks(filterBy: { field: "name", value: "nothing" }) { pageInfo { totalItems } } }`);
    assert.equal(filtered.body.data.scheduledTasks.pageInfo.totalItems, 0);
  });

  it("reports bad filter and sort fields next to the data, and bad values and cursors as errors: never a 500", async () => {
    const r = await graphql(t, `{ processes(filterBy: [{ field: "colour", value: "red" }], sortBy: [{ field: "shape", order: DESC }]) { page { processId } pageInfo { totalItems } } }`);
    assert.equal(r.status, 200);
    assert.equal(r.body.data.processes.pageInfo.totalItems, 6);
    assert.equal(r.body.errors.length, 2, JSON.stringify(r.body.errors));
    assert.match(r.body.errors[0].message, /Invalid filter arguments \(invalid_filters=\['colour'\] valid_filter_keys=\[.*'last_status'/);
    assert.match(r.body.errors[1].message, /Invalid sort arguments \(invalid_sorting=\['shape'\] valid_sort_keys=\[.*'startedAt'/);
    assert.ok(r.body.errors.every((e: any) => e.extensions.error_type === "bad_request" && e.path[0] === "processes"));

    const cases: [string, RegExp][] = [
      [`{ processes(after: "abc") { page { processId } } }`, /Int cannot represent|after/],
      [`{ processes(first: -1) { page { processId } } }`, /Invalid first/],
      [`{ processes(after: -5) { page { processId } } }`, /Invalid after/],
      [`{ processes(filterBy: { field: "processId", value: "nope" }) { page { processId } } }`, /process_id.*not a UUID/],
      [`{ processes(filterBy: { field: "isTask", value: "perhaps" }) { page { processId } } }`, /is_task.*not true or false/],
      [`{ processes(filterBy: { field: "startedAt", value: ">yesterday" }) { page { processId } } }`, /started_at.*not a date/],
      [`{ subscriptions(filterBy: { field: "status", value: "" }) { page { subscriptionId } } }`, /status.*empty/],
      [`{ processes(sortBy: { field: "startedAt", order: SIDEWAYS }) { page { processId } } }`, /SIDEWAYS/],
      [`{ processes { page { colour } } }`, /colour/],
      [`{ processes(query: "${"x".repeat(600)}") { page { processId } } }`, /longer than 512/],
      [`{ processes(`, /Syntax Error/],
    ];
    for (const [query, message] of cases) {
      const response = await graphql(t, query);
      assert.ok(response.status < 500, `${query}: ${response.status}`);
      assert.ok(response.body.errors?.length > 0, `${query}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.errors[0].message, message, query);
      assert.equal(response.body.errors[0].extensions.error_type, "bad_request", query);
    }
    const variables = await graphql(t, PROCESS_LIST, { first: "ten", after: 0 });
    assert.equal(variables.status, 400);
    assert.equal(variables.body.errors[0].extensions.error_type, "bad_request");
    const notGraphql = await t.request("POST", "/api/graphql", { nothing: true });
    assert.equal(notGraphql.status, 400, JSON.stringify(notGraphql.body));
    assert.equal(notGraphql.body.errors[0].extensions.error_type, "bad_request");
  });

  it("loads a list in the same number of SQL statements whatever the page size", async () => {
    const query = `query ($first: Int!) { processes(first: $first, after: 0, sortBy: { field: "startedAt", order: ASC }) {
      page { processId workflowName product { name } customer { fullname } subscriptions { page { subscriptionId description product { name } } } }
      pageInfo { totalItems } } }`;
    const one = await countStatements(() => graphql(t, query, { first: 1 }));
    const all = await countStatements(() => graphql(t, query, { first: 100 }));
    assert.equal(one.result.body.data.processes.page.length, 1);
    assert.equal(all.result.body.data.processes.page.length, 6);
    assert.equal(all.statements.length, one.statements.length, `\n${one.statements.join("\n---\n")}\n=====\n${all.statements.join("\n---\n")}`);
    assert.ok(all.statements.length <= 6, all.statements.join("\n---\n"));

    const subscriptions = `query ($first: Int!) { subscriptions(first: $first) { page { subscriptionId product { name } customer { fullname } metadata fixedInputs
      customerDescriptions { description } processes { page { processId workflowName } pageInfo { totalItems } }
      inUseBySubscriptions { page { subscriptionId } } dependsOnSubscriptions { pageInfo { totalItems } }
      productBlockInstances { id parent productBlockInstanceValues subscription { subscriptionId description } } } } }`;
    // a nested list that no row of the page has costs its count only: a small page may take fewer statements
    for (const first of [1, 3, 5]) {
      const { result, statements } = await countStatements(() => graphql(t, subscriptions, { first }));
      assert.equal(result.body.data.subscriptions.page.length, first, JSON.stringify(result.body));
      assert.ok(statements.length <= 14, `first ${first}: ${statements.length}\n${statements.join("\n---\n")}`);
      assert.ok(result.body.data.subscriptions.page.every((s: { productBlockInstances: unknown[] }) => s.productBlockInstances.length > 0));
    }

    const catalogue = `{ products(first: 100) { page { name fixedInputs { name } productBlocks { name resourceTypes { resourceType } dependsOn { name } } workflows { name products { name } } } } }`;
    const c = await countStatements(() => graphql(t, catalogue));
    assert.equal(c.result.body.errors, undefined, JSON.stringify(c.result.body.errors));
    assert.ok(c.statements.length <= 8, c.statements.join("\n---\n"));
  });

  it("serves GraphiQL in a local environment (the default)", async () => {
    const r = await fetch(`${t.url}/api/graphiql`);
    assert.equal(r.status, 200);
  });
});
