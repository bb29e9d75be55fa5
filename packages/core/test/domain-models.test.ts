import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { z } from "zod";
import { OrchestratorError } from "../src/errors.js";
import {
  type BlockModel,
  blockList,
  blockSchema,
  DomainModelError,
  DomainValidationError,
  describeBlock,
  describeProductType,
  describeRegistry,
  field,
  fromOtherLifecycle,
  isRequiredIn,
  LIFECYCLE_VARIANT,
  modelForProduct,
  ProductNotInRegistryError,
  parseSubscription,
  productBlock,
  productType,
  registerProducts,
  SUBSCRIPTION_LIFECYCLES,
  SUBSCRIPTION_MODEL_REGISTRY,
  SubscriptionLifecycle,
  type SubscriptionModel,
  toLifecycle,
} from "../src/domain/index.js";

// ---- the beginner example's models (products/product_blocks/*.py, products/product_types/*.py) ----

const UserGroupBlock = productBlock(
  "UserGroupBlock",
  {
    group_name: field(z.string(), { requiredFrom: "provisioning", description: "name of the user group" }),
    group_id: field(z.number().int(), { requiredFrom: "active", description: "id of the user group" }),
  },
  { tag: "UGB", description: "user group block" },
);

const UserBlock = productBlock(
  "UserBlock",
  {
    group: field(UserGroupBlock, { requiredFrom: "provisioning" }),
    username: field(z.string(), { requiredFrom: "provisioning", description: "name of the user" }),
    age: field(z.number().int(), { description: "age of the user" }),
    user_id: field(z.number().int(), { requiredFrom: "active", description: "id of the user" }),
  },
  { tag: "UB", description: "user block" },
);

const UserGroup = productType("UserGroup", { user_group: UserGroupBlock });

const User = productType(
  "User",
  { user: UserBlock },
  { fixedInputs: { affiliation: z.enum(["internal", "external"]) } },
);

// ---- helpers ----

const product = (name: string, productTypeName: string) => ({
  product_id: "00000000-0000-0000-0000-0000000000aa",
  name,
  description: `${name} product`,
  product_type: productTypeName,
  tag: "TAG",
  status: "active",
});

const subscriptionData = <L extends SubscriptionLifecycle>(status: L, productName: string, productTypeName: string) => ({
  subscription_id: "00000000-0000-0000-0000-000000000001",
  customer_id: "customer",
  description: "Initial subscription",
  status,
  insync: false,
  start_date: null,
  end_date: null,
  note: null,
  version: 1,
  product: product(productName, productTypeName),
});

function initialUserGroup(): SubscriptionModel<typeof UserGroup, "initial"> {
  return { ...subscriptionData("initial", "User Group", "UserGroup"), user_group: {} };
}

function initialUser(): SubscriptionModel<typeof User, "initial"> {
  return { ...subscriptionData("initial", "User internal", "User"), affiliation: "internal", user: {} };
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainValidationError, String(error));
    return error.issues.map((issue) => issue.message);
  }
  assert.fail("expected a DomainValidationError");
}

// ---- compile-time checks (tsc --noEmit -p tsconfig.json; an unused @ts-expect-error fails too) ----

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_ok: T): void => undefined;

type GroupInitial = BlockModel<typeof UserGroupBlock, "initial">;
type GroupProvisioning = BlockModel<typeof UserGroupBlock, "provisioning">;
type GroupActive = BlockModel<typeof UserGroupBlock, "active">;
expectType<Equal<GroupInitial["group_name"], string | null | undefined>>(true);
expectType<Equal<GroupInitial["group_id"], number | null | undefined>>(true);
expectType<Equal<GroupProvisioning["group_name"], string>>(true);
expectType<Equal<GroupProvisioning["group_id"], number | null | undefined>>(true);
expectType<Equal<GroupActive["group_name"], string>>(true);
expectType<Equal<GroupActive["group_id"], number>>(true);
// disabled, terminated and migrating use the inactive variant, as in the original
expectType<Equal<BlockModel<typeof UserGroupBlock, "terminated">, GroupInitial>>(true);
expectType<Equal<BlockModel<typeof UserGroupBlock, "disabled">, GroupInitial>>(true);

type UserActive = SubscriptionModel<typeof User, "active">;
expectType<Equal<UserActive["user"]["group"]["group_id"], number>>(true);
expectType<Equal<UserActive["user"]["age"], number | null | undefined>>(true);
expectType<Equal<UserActive["affiliation"], "internal" | "external">>(true);
expectType<Equal<UserActive["status"], "active">>(true);
expectType<Equal<SubscriptionModel<typeof User, "initial">["user"]["group"], GroupInitial | null | undefined>>(true);
// a bare block in a product type is always present
expectType<Equal<SubscriptionModel<typeof UserGroup, "initial">["user_group"], GroupInitial>>(true);

function typeChecks(active: UserActive, provisioning: SubscriptionModel<typeof User, "provisioning">): void {
  const groupId: number = active.user.group.group_id;
  const username: string = provisioning.user.username;
  // @ts-expect-error user_id is optional while provisioning
  const userId: number = provisioning.user.user_id;
  // @ts-expect-error group_id is optional while provisioning
  const provisioningGroupId: number = provisioning.user.group.group_id;
  void [groupId, username, userId, provisioningGroupId];

  // @ts-expect-error group_id is required in active
  const missingId: GroupActive = { group_name: "g" };
  // @ts-expect-error group_name must be a string
  const wrongName: GroupProvisioning = { group_name: 3 };
  // @ts-expect-error affiliation has two values
  const wrongAffiliation: UserActive["affiliation"] = "partner";
  const emptyInitial: GroupInitial = {};
  const nullInitial: GroupInitial = { group_name: null, group_id: null };
  void [missingId, wrongName, wrongAffiliation, emptyInitial, nullInitial];

  // toLifecycle is typed by its target lifecycle
  const nowActive = toLifecycle(provisioning, User, "active");
  expectType<Equal<typeof nowActive, UserActive>>(true);
  // @ts-expect-error a User subscription is not a UserGroup subscription
  toLifecycle(provisioning, UserGroup, "active");
  // @ts-expect-error not a lifecycle
  toLifecycle(provisioning, User, "cancelled");

  // @ts-expect-error requiredFrom takes a model variant, not any status
  field(z.string(), { requiredFrom: "terminated" });
}
void typeChecks;

// ---- runtime ----

describe("SubscriptionLifecycle", () => {
  it("has the original's statuses, and requiredFrom follows the model variant of a status", () => {
    assert.deepEqual(SUBSCRIPTION_LIFECYCLES, ["initial", "provisioning", "active", "disabled", "terminated", "migrating"]);
    assert.equal(SubscriptionLifecycle.ACTIVE, "active");
    assert.equal(LIFECYCLE_VARIANT.terminated, "initial");
    const requiredIn = (from: "initial" | "provisioning" | "active" | undefined) =>
      SUBSCRIPTION_LIFECYCLES.filter((l) => isRequiredIn(from, l));
    assert.deepEqual(requiredIn("provisioning"), ["provisioning", "active"]);
    assert.deepEqual(requiredIn("active"), ["active"]);
    assert.deepEqual(requiredIn("initial"), SUBSCRIPTION_LIFECYCLES);
    assert.deepEqual(requiredIn(undefined), []);
  });
});

describe("declaring models", () => {
  it("keeps the declarations as plain data", () => {
    assert.equal(UserGroupBlock.kind, "productBlock");
    assert.equal(UserGroupBlock.name, "UserGroupBlock");
    assert.equal(UserBlock.fieldSpecs.get("group")?.kind, "block");
    const groupId = UserGroupBlock.fieldSpecs.get("group_id");
    assert.equal(groupId?.kind === "resource" && groupId.valueType, "integer");
    assert.equal(User.name, "User");
    assert.deepEqual([...User.blockSpecs.keys()], ["user"]);
    assert.equal(UserGroup.blockSpecs.get("user_group")?.requiredFrom, "initial");
  });

  it("rejects fields that cannot be resource types or whose optionality would fight the lifecycle", () => {
    assert.throws(() => field(z.object({ a: z.string() })), DomainModelError);
    assert.throws(() => field(z.string().optional()), /requiredFrom/);
    assert.throws(() => field(z.number().nullable()), /requiredFrom/);
    assert.throws(() => field(z.string(), { requiredFrom: "terminated" as "active" }), /requiredFrom must be one of/);
    assert.throws(() => productBlock("B", { Name: field(z.string()) }), /snake_case/);
    assert.throws(() => productBlock("B", { label: field(z.string()) }), /reserved/);
    assert.throws(() => productType("P", { status: UserGroupBlock }), /reserved/);
    assert.throws(() => productType("P", { x: field(z.string()) as never }), /resource type/);
    assert.throws(() => productType("P", { g: UserGroupBlock }, { fixedInputs: { g: z.string() } }), /both/);
    assert.throws(() => blockList(UserGroupBlock, { min: 2, max: 1 }), /max/);
    assert.ok(new DomainModelError("x") instanceof OrchestratorError);
  });

  it("accepts lists of scalars, enums and defaults as resource types", () => {
    const tags = field(z.array(z.string()));
    assert.equal(tags.list, true);
    assert.equal(tags.valueType, "string");
    const speed = field(z.enum(["1G", "10G"]), { requiredFrom: "active" });
    assert.deepEqual(speed.values, ["1G", "10G"]);
    assert.equal(field(z.boolean().default(false)).valueType, "boolean");
    assert.equal(field(z.number()).valueType, "number");
  });
});

describe("toLifecycle", () => {
  it("moves a complete user group through provisioning to active and sets start_date", () => {
    const initial = initialUserGroup();
    assert.deepEqual(toLifecycle(initial, UserGroup, "initial").user_group, {});
    const provisioning = toLifecycle(
      { ...initial, user_group: { ...initial.user_group, group_name: "Devs" } },
      UserGroup,
      "provisioning",
    );
    assert.equal(provisioning.status, "provisioning");
    assert.equal(provisioning.start_date, null);
    const active = toLifecycle(
      { ...provisioning, user_group: { ...provisioning.user_group, group_id: 7 } },
      UserGroup,
      "active",
    );
    assert.equal(active.status, "active");
    assert.equal(active.user_group.group_id, 7);
    assert.match(active.start_date ?? "", /^\d{4}-\d\d-\d\dT/);
    assert.notEqual(active, provisioning as unknown, "a copy, not the same object");
    const terminated = toLifecycle(active, UserGroup, "terminated");
    assert.equal(terminated.start_date, active.start_date);
    assert.match(terminated.end_date ?? "", /^\d{4}-/);
  });

  it("names every field missing for the target lifecycle with its path", () => {
    const initial = initialUser();
    assert.deepEqual(issuesOf(() => toLifecycle(initial, User, "provisioning")), [
      "user.group is required in lifecycle provisioning",
      "user.username is required in lifecycle provisioning",
    ]);
    const provisioning = {
      ...initial,
      status: "provisioning" as const,
      user: { group: { group_name: "Devs" }, username: "alice", age: null },
    };
    assert.deepEqual(issuesOf(() => toLifecycle(provisioning, User, "active")), [
      "user.group.group_id is required in lifecycle active",
      "user.user_id is required in lifecycle active",
    ]);
    let error: unknown;
    try {
      toLifecycle(provisioning, User, "active");
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof DomainValidationError);
    assert.equal(error.code, "subscription_invalid_for_lifecycle");
    assert.equal(error.lifecycle, "active");
    assert.match(error.message, /^User is not valid for lifecycle active:\n {2}user\.group\.group_id is required in lifecycle active\n/);
  });

  it("treats null like a missing value, reports wrong types, unknown fields and a wrong product type", () => {
    const active = {
      ...initialUser(),
      user: { group: { group_name: "Devs", group_id: null }, username: "alice", user_id: "1", nickname: "al" },
    };
    // data from outside (state, database) is `unknown` to the compiler; parseSubscription takes it as it is
    assert.deepEqual(issuesOf(() => parseSubscription(User, "active", { ...active, status: "active" })), [
      "user.group.group_id is required in lifecycle active",
      "user.user_id: Invalid input: expected number, received string",
      "user.nickname is not a field of the model",
    ]);
    const asGroup = { ...initialUser(), affiliation: "partner" };
    const messages = issuesOf(() => parseSubscription(User, "initial", { ...asGroup, product: product("User internal", "UserGroup") }));
    assert.equal(messages.length, 2);
    assert.match(messages[0] ?? "", /^product\.product_type: /);
    assert.match(messages[1] ?? "", /^affiliation: /);
  });

  it("lets disabled and terminated subscriptions hold incomplete data, as the original's inactive classes do", () => {
    const terminated = toLifecycle(initialUser(), User, "terminated");
    assert.equal(terminated.status, "terminated");
    assert.deepEqual(terminated.user, {});
    assert.equal(toLifecycle(initialUser(), User, "disabled").status, "disabled");
  });

  it("keeps the instance data of blocks", () => {
    const initial = initialUserGroup();
    const data = {
      ...initial,
      user_group: {
        name: "UserGroupBlock",
        subscription_instance_id: "00000000-0000-0000-0000-0000000000bb",
        owner_subscription_id: initial.subscription_id,
        label: null,
        group_name: "Devs",
      },
    };
    assert.deepEqual(toLifecycle(data, UserGroup, "provisioning").user_group, data.user_group);
  });

  it("rejects a status that is not a lifecycle", () => {
    assert.throws(() => toLifecycle(initialUser(), User, "cancelled" as "active"), /'cancelled' is not a subscription lifecycle/);
  });
});

describe("lists of blocks", () => {
  const PortBlock = productBlock("PortBlock", { vlan: field(z.number().int(), { requiredFrom: "active" }) });
  const LagBlock = productBlock("LagBlock", {
    ports: blockList(PortBlock, { min: 2, max: 3, requiredFrom: "provisioning" }),
    spares: blockList(PortBlock, { max: 1 }),
    name_tag: field(z.string()),
  });
  const Lag = productType("Lag", { lag: LagBlock });
  const lag = (ports: object[]) => ({ ...subscriptionData("initial", "LAG", "Lag"), lag: { ports, spares: [] } });

  it("types the list as an array of the block's model for the lifecycle", () => {
    type Active = SubscriptionModel<typeof Lag, "active">;
    expectType<Equal<Active["lag"]["ports"], BlockModel<typeof PortBlock, "active">[]>>(true);
    expectType<Equal<Active["lag"]["ports"][number]["vlan"], number>>(true);
  });

  it("enforces min from requiredFrom on, max always, and checks every item", () => {
    assert.equal(parseSubscription(Lag, "initial", lag([])).lag.ports.length, 0);
    assert.deepEqual(issuesOf(() => toLifecycle(lag([{}]), Lag, "provisioning")), [
      "lag.ports: at least 2 PortBlock required in lifecycle provisioning",
    ]);
    assert.deepEqual(issuesOf(() => toLifecycle(lag([{}, {}, {}, {}]), Lag, "initial")), [
      "lag.ports: at most 3 PortBlock allowed",
    ]);
    assert.deepEqual(issuesOf(() => toLifecycle(lag([{ vlan: 10 }, {}]), Lag, "active")), [
      "lag.ports[1].vlan is required in lifecycle active",
    ]);
    assert.deepEqual(toLifecycle(lag([{ vlan: 10 }, { vlan: 11 }]), Lag, "active").lag.ports, [{ vlan: 10 }, { vlan: 11 }]);
  });

  it("describes list relations with their bounds", () => {
    const described = describeProductType(Lag);
    assert.deepEqual(described.blocks.map((b) => b.name), ["PortBlock", "LagBlock"]);
    assert.deepEqual(described.relations.map((r) => [r.inUseBy, r.attribute, r.dependsOn, r.list, r.min, r.max]), [
      ["LagBlock", "ports", "PortBlock", true, 2, 3],
      ["LagBlock", "spares", "PortBlock", true, 0, 1],
    ]);
  });
});

describe("blockSchema", () => {
  it("validates a single block instance for a lifecycle", () => {
    assert.equal(blockSchema(UserGroupBlock, "active").safeParse({ group_name: "a", group_id: 1 }).success, true);
    assert.equal(blockSchema(UserGroupBlock, "active").safeParse({ group_name: "a" }).success, false);
    assert.equal(blockSchema(UserGroupBlock, "initial").safeParse({}).success, true);
  });
});

describe("registry", () => {
  afterEach(() => SUBSCRIPTION_MODEL_REGISTRY.clear());

  it("maps product names to product types", () => {
    registerProducts({ "User Group": UserGroup, "User internal": User, "User external": User });
    assert.equal(modelForProduct("User Group"), UserGroup);
    assert.equal(modelForProduct("User external"), User);
    assert.deepEqual([...SUBSCRIPTION_MODEL_REGISTRY.keys()], ["User Group", "User internal", "User external"]);
  });

  it("names an unknown product and what is registered", () => {
    registerProducts({ "User Group": UserGroup });
    assert.throws(
      () => modelForProduct("User group"),
      (error: unknown) =>
        error instanceof ProductNotInRegistryError &&
        error.code === "product_not_in_registry" &&
        error.message.startsWith("'User group' is not found within the SUBSCRIPTION_MODEL_REGISTRY (registered: 'User Group')"),
    );
  });

  it("refuses anything but a product type", () => {
    assert.throws(() => registerProducts({ Block: UserGroupBlock as never }), /must map to a productType\(\.\.\.\), not a product block/);
    assert.equal(SUBSCRIPTION_MODEL_REGISTRY.size, 0);
  });

  it("fromOtherLifecycle finds the product type by product name", () => {
    registerProducts({ "User external": User });
    const initial = { ...initialUser(), affiliation: "external" as const, product: product("User external", "User") };
    const provisioning = fromOtherLifecycle(
      { ...initial, user: { group: { group_name: "Devs" }, username: "bob" } },
      "provisioning",
    );
    assert.equal(provisioning.status, "provisioning");
    assert.deepEqual(issuesOf(() => fromOtherLifecycle(provisioning, "active")), [
      "user.group.group_id is required in lifecycle active",
      "user.user_id is required in lifecycle active",
    ]);
    assert.throws(() => fromOtherLifecycle({ ...initial, product: product("Other", "User") }, "active"), ProductNotInRegistryError);
  });
});

describe("introspection", () => {
  afterEach(() => SUBSCRIPTION_MODEL_REGISTRY.clear());

  it("describes a block's resource types and references", () => {
    assert.deepEqual(describeBlock(UserBlock), {
      name: "UserBlock",
      tag: "UB",
      description: "user block",
      attributes: ["group", "username", "age", "user_id"],
      resourceTypes: [
        { resourceType: "username", description: "name of the user", valueType: "string", list: false, values: undefined, requiredFrom: "provisioning" },
        { resourceType: "age", description: "age of the user", valueType: "integer", list: false, values: undefined, requiredFrom: undefined },
        { resourceType: "user_id", description: "id of the user", valueType: "integer", list: false, values: undefined, requiredFrom: "active" },
      ],
      blockReferences: [
        { attribute: "group", block: "UserGroupBlock", list: false, min: 1, max: 1, requiredFrom: "provisioning" },
      ],
    });
  });

  it("describes a product type with its blocks, relations and fixed inputs", () => {
    const user = describeProductType(User);
    assert.equal(user.productType, "User");
    assert.deepEqual(user.fixedInputs, [{ name: "affiliation", values: ["internal", "external"] }]);
    assert.deepEqual(user.rootBlocks, [
      { attribute: "user", block: "UserBlock", list: false, min: 1, max: 1, requiredFrom: "initial" },
    ]);
    assert.deepEqual(user.blocks.map((b) => [b.name, b.resourceTypes.map((r) => r.resourceType)]), [
      ["UserGroupBlock", ["group_name", "group_id"]],
      ["UserBlock", ["username", "age", "user_id"]],
    ]);
    assert.deepEqual(user.relations.map((r) => [r.inUseBy, r.dependsOn, r.attribute]), [["UserBlock", "UserGroupBlock", "group"]]);
    assert.deepEqual(describeProductType(UserGroup).fixedInputs, []);
  });

  it("describes the registry as the beginner's migration needs it", () => {
    registerProducts({ "User Group": UserGroup, "User internal": User, "User external": User });
    const described = describeRegistry();
    assert.deepEqual(described.products, [
      { name: "User Group", productType: "UserGroup" },
      { name: "User internal", productType: "User" },
      { name: "User external", productType: "User" },
    ]);
    assert.deepEqual(described.productTypes.map((p) => p.productType), ["UserGroup", "User"]);
    assert.deepEqual(described.blocks.map((b) => [b.name, b.tag, b.description]), [
      ["UserGroupBlock", "UGB", "user group block"],
      ["UserBlock", "UB", "user block"],
    ]);
    assert.deepEqual(described.resourceTypes, ["age", "group_id", "group_name", "user_id", "username"]);
  });

  it("refuses two different blocks with one name", () => {
    const Other = productBlock("UserGroupBlock", { x: field(z.string()) });
    const Clash = productType("Clash", { a: UserGroupBlock, b: Other });
    assert.throws(() => describeProductType(Clash), /two different product blocks are named UserGroupBlock/);
  });
});
