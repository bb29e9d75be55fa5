/** Metadata: products, product blocks, resource types, workflows, tasks, and the workflow registration check. */
import { useNavigate, useParams } from "react-router";
import { Tabs } from "../../components/Tabs.tsx";
import { ProductBlocksTable } from "./ProductBlocksTable.tsx";
import { ProductsTable } from "./ProductsTable.tsx";
import { RegistrationTable } from "./RegistrationTable.tsx";
import { ResourceTypesTable } from "./ResourceTypesTable.tsx";
import { WorkflowsTable } from "./WorkflowsTable.tsx";

const SECTIONS = [
  { id: "products", label: "Products" },
  { id: "product-blocks", label: "Product blocks" },
  { id: "resource-types", label: "Resource types" },
  { id: "workflows", label: "Workflows" },
  { id: "tasks", label: "Tasks" },
  { id: "registration", label: "Registration" },
] as const;
type Section = (typeof SECTIONS)[number]["id"];

function Content({ section }: { section: Section }) {
  switch (section) {
    case "products":
      return <ProductsTable />;
    case "product-blocks":
      return <ProductBlocksTable />;
    case "resource-types":
      return <ResourceTypesTable />;
    case "workflows":
      return <WorkflowsTable tasks={false} />;
    case "tasks":
      return <WorkflowsTable tasks />;
    case "registration":
      return <RegistrationTable />;
  }
}

export function MetadataPage() {
  const { section = "products" } = useParams();
  const navigate = useNavigate();
  const active = (SECTIONS.some((s) => s.id === section) ? section : "products") as Section;
  return (
    <section>
      <div className="page-header">
        <h1>Metadata</h1>
      </div>
      <Tabs label="Metadata" tabs={SECTIONS} active={active} onChange={(id) => navigate(`/metadata/${id}`)}>
        <Content section={active} />
      </Tabs>
    </section>
  );
}
