/**
 * `generate product-blocks` and `generate product`: the domain models, as orchestrator-core's product_block.j2 and
 * product.j2 write them in Python — one file per block in products/product_blocks, one per product type in
 * products/product_types with its lifecycle types, and the product names registered in products/index.ts.
 */
import { CORE_PACKAGE } from "../../migrations/index.js";
import { comment, header, importLine, str } from "./code.js";
import { mergeSection, type GeneratedFile } from "./files.js";
import type { BlockModel, ProductModel } from "./model.js";

/** One file per product block of the config (dependencies first). `skipExisting` leaves out blocks in the app's code. */
export function productBlockFiles(model: ProductModel, source: string): GeneratedFile[] {
  return model.blocks.map((block) => ({ path: `products/product_blocks/${block.variable}.ts`, content: blockFile(block, source), mode: "create" }));
}

function blockFile(block: BlockModel, source: string): string {
  const core = new Set<string>(["productBlock"]);
  const imports: string[] = [];
  const lines: string[] = [];
  let usesZod = false;
  for (const f of block.fields) {
    const options: string[] = [];
    if (f.kind === "block" && f.list) {
      core.add("blockList");
      if (f.list.min) options.push(`min: ${f.list.min}`);
      if (f.list.max !== undefined) options.push(`max: ${f.list.max}`);
    }
    if (f.required) options.push(`requiredFrom: ${str(f.required)}`);
    options.push(`description: ${str(f.description)}`);
    const opts = `{ ${options.join(", ")} }`;
    if (f.kind === "block") {
      imports.push(importLine([f.block.constName], `./${f.block.module}.js`));
      if (f.list) lines.push(`    ${f.name}: blockList(${f.block.constName}, ${opts}),`);
      else {
        core.add("field");
        lines.push(`    ${f.name}: field(${f.block.constName}, ${opts}),`);
      }
    } else {
      core.add("field");
      usesZod = true;
      lines.push(`    ${f.name}: field(${f.zod}, ${opts}),`);
    }
  }
  const importLines = [importLine(core, CORE_PACKAGE), ...(usesZod ? ['import { z } from "zod";'] : []), ...[...new Set(imports)].sort()];
  return `${header(`The ${block.type} product block: ${block.description}.`, source)}
${importLines.join("\n")}

export const ${block.constName} = productBlock(
  ${str(block.dbName)},
  {
${lines.join("\n")}
  },
  { tag: ${str(block.tag)}, description: ${str(block.description)} },
);
`;
}

/** The product type, its lifecycle types, and the registration of its products (one per fixed input combination). */
export function productFiles(model: ProductModel, source: string): GeneratedFile[] {
  const root = model.root;
  const fixed = model.fixedInputs.map((fi) =>
    fi.values
      ? `    /** ${comment(fi.description)} */\n    ${fi.name}: z.enum([${fi.values.map(str).join(", ")}]),`
      : `    /** ${comment(fi.description)} (no values in the config, so no product has it in the database until you add them) */\n    ${fi.name}: z.string().nullable(),`,
  );
  const options = [
    ...(fixed.length ? [`  fixedInputs: {\n${fixed.join("\n")}\n  },`] : []),
    `  description: ${str(model.description)},`,
  ];
  const typeFile = `${header(`The ${model.type} product type (products ${model.variants.map((v) => str(v.name)).join(", ")}).`, source)}
${importLine(["productType", "type SubscriptionModel"], CORE_PACKAGE)}
${fixed.length ? 'import { z } from "zod";\n' : ""}${importLine([root.constName], `../product_blocks/${root.variable}.js`)}

export const ${model.type} = productType(${str(model.type)}, { ${root.variable}: ${root.constName} }, {
${options.join("\n")}
});

export type ${model.type}Inactive = SubscriptionModel<typeof ${model.type}, "initial">;
export type ${model.type}Provisioning = SubscriptionModel<typeof ${model.type}, "provisioning">;
export type ${model.type}Active = SubscriptionModel<typeof ${model.type}, "active">;
`;
  const registration = `registerProducts({\n${model.variants.map((v) => `  ${str(v.name)}: ${model.type},`).join("\n")}\n});\nexport { ${model.type} };`;
  return [
    { path: `products/product_types/${model.variable}.ts`, content: typeFile, mode: "create" },
    {
      path: "products/index.ts",
      mode: "merge",
      content: (current) =>
        mergeSection(current ?? `/** The app's products, registered by product name (several products may share a product type). */\n${importLine(["registerProducts"], CORE_PACKAGE)}\n`, model.variable, registration, [
          importLine(["registerProducts"], CORE_PACKAGE),
          importLine([model.type], `./product_types/${model.variable}.js`),
        ]),
    },
  ];
}
