/**
 * What to start: for workflows, "New subscription" — the products (with status active, pre production or phase out)
 * and the create workflow of each; for tasks, every task.
 */
import { Link } from "react-router";
import { useWorkflows } from "../api/queries.ts";
import type { Workflow } from "../api/types.ts";
import { ErrorMessage, Loading } from "../components/Feedback.tsx";

const STARTABLE_PRODUCT_STATUSES = new Set(["active", "pre production", "phase out"]);

interface ProductChoice {
  productId: string;
  name: string;
  tag: string;
  description: string | undefined;
  workflow: Workflow;
}

function productChoices(workflows: Workflow[]): ProductChoice[] {
  const choices = workflows.flatMap((workflow) =>
    workflow.products
      .filter((product) => !product.status || STARTABLE_PRODUCT_STATUSES.has(product.status))
      .map((product) => ({ productId: product.product_id, name: product.name, tag: product.tag, description: product.description, workflow })),
  );
  return choices.sort((a, b) => a.name.localeCompare(b.name));
}

function NewSubscription() {
  const { data, error, isPending } = useWorkflows("target=CREATE&is_task=false");
  if (isPending) return <Loading what="Loading products" />;
  if (error) return <ErrorMessage error={error} />;
  const choices = productChoices(data ?? []);
  return (
    <>
      <h1>New subscription</h1>
      <p>Choose the product of the new subscription.</p>
      {choices.length === 0 && <p className="muted">No product has a create workflow.</p>}
      <ul className="choice-list" aria-label="Products">
        {choices.map((choice) => (
          <li key={`${choice.productId}-${choice.workflow.name}`}>
            <Link
              className="choice-card"
              to={`/workflows/new/${encodeURIComponent(choice.workflow.name)}?product=${encodeURIComponent(choice.productId)}`}
            >
              <strong>{choice.name}</strong> <span className="badge tone-neutral">{choice.tag}</span>
              <span className="muted">
                {choice.description ? `${choice.description} — ` : ""}
                {choice.workflow.description ?? choice.workflow.name}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

function NewTask() {
  const { data, error, isPending } = useWorkflows("is_task=true");
  if (isPending) return <Loading what="Loading tasks" />;
  if (error) return <ErrorMessage error={error} />;
  const tasks = [...(data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <h1>New task</h1>
      <ul className="choice-list" aria-label="Tasks">
        {tasks.map((task) => (
          <li key={task.name}>
            <Link className="choice-card" to={`/tasks/new/${encodeURIComponent(task.name)}`}>
              <strong>{task.name}</strong>
              <span className="muted">{task.description}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

export function StartPickerPage({ isTask }: { isTask: boolean }) {
  return <section>{isTask ? <NewTask /> : <NewSubscription />}</section>;
}
