/**
 * The product-block tree of a subscription: each block a disclosure (keyboard-operable `<details>`), with its values,
 * its owner subscription when that is another one, and the subscriptions that use it.
 */
import type { JsonValue } from "../../api/types.ts";
import { SubscriptionLink } from "../../components/SubscriptionLink.tsx";
import { blockTitle, type BlockNode } from "./blocks.ts";

function Value({ value }: { value: JsonValue }) {
  if (value === null) return <span className="muted">—</span>;
  if (typeof value === "object") return <code>{JSON.stringify(value)}</code>;
  return <>{String(value)}</>;
}

function Block({ node, subscriptionId }: { node: BlockNode; subscriptionId: string }) {
  const foreignOwner = node.ownerSubscriptionId && node.ownerSubscriptionId !== subscriptionId ? node.ownerSubscriptionId : null;
  const users = node.inUseBy.filter((u) => u.subscription_id && u.subscription_id !== subscriptionId);
  return (
    <li>
      <details open>
        <summary>
          <span className="block-name">{blockTitle(node)}</span> <span className="muted">({node.key})</span>
          {foreignOwner && <span className="badge tone-neutral">owned by another subscription</span>}
        </summary>
        <dl className="kv">
          <dt>Instance id</dt>
          <dd className="mono">{String(node.block.subscription_instance_id)}</dd>
          {node.ownerSubscriptionId && (
            <>
              <dt>Owner subscription</dt>
              <dd>
                {foreignOwner ? (
                  <SubscriptionLink id={foreignOwner} />
                ) : (
                  <span className="mono">{node.ownerSubscriptionId} (this subscription)</span>
                )}
              </dd>
            </>
          )}
          {node.fields.map(([key, value]) => (
            <div key={key} className="kv-row">
              <dt>{key}</dt>
              <dd>
                <Value value={value} />
              </dd>
            </div>
          ))}
          {users.length > 0 && (
            <>
              <dt>In use by</dt>
              <dd>
                <ul className="plain">
                  {users.map((user) => (
                    <li key={`${user.subscription_id}-${user.subscription_instance_id ?? ""}`}>
                      <SubscriptionLink id={user.subscription_id} />
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
        </dl>
        {node.children.length > 0 && (
          <ul className="block-tree">
            {node.children.map((child) => (
              <Block key={child.key} node={child} subscriptionId={subscriptionId} />
            ))}
          </ul>
        )}
      </details>
    </li>
  );
}

export function BlockTree({ nodes, subscriptionId }: { nodes: BlockNode[]; subscriptionId: string }) {
  if (nodes.length === 0) return <p className="muted">This subscription has no product blocks.</p>;
  return (
    <ul className="block-tree root" aria-label="Product blocks">
      {nodes.map((node) => (
        <Block key={node.key} node={node} subscriptionId={subscriptionId} />
      ))}
    </ul>
  );
}
