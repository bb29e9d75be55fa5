/**
 * The Actions menu of a subscription (menu button pattern): workflows grouped by target (modify, terminate,
 * validate, reconcile); a blocked one is shown disabled with its reason. Choosing one opens its start page with the
 * subscription as the first form page.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useNavigate } from "react-router";
import { useSubscription } from "../../api/queries.ts";
import type { SubscriptionWorkflow, SubscriptionWorkflows } from "../../api/types.ts";
import { shortId } from "../../format.ts";
import { reasonText } from "./reasons.ts";

const GROUPS = [
  { key: "modify", label: "Modify", task: false },
  { key: "terminate", label: "Terminate", task: false },
  { key: "validate", label: "Validate", task: true },
  { key: "reconcile", label: "Reconcile", task: false },
] as const;

interface Item {
  workflow: SubscriptionWorkflow;
  group: (typeof GROUPS)[number];
  reason: string | undefined;
}

/** A subscription's description (its short id until loaded). */
function SubscriptionName({ id }: { id: string }) {
  const { data } = useSubscription(id);
  return <>{data?.description ?? shortId(id)}</>;
}

/** The subscriptions that block an entry, by description. */
function Blockers({ entry }: { entry: SubscriptionWorkflow }) {
  const details = entry.unterminated_in_use_by_subscriptions_detail ?? [];
  const ids = details.length > 0 ? [] : (entry.unterminated_in_use_by_subscriptions ?? []);
  if (details.length === 0 && ids.length === 0) return null;
  const names = [
    ...details.map((d) => <span key={d.subscription_id}>{d.subscription_description || d.subscription_id}</span>),
    ...ids.map((id) => <SubscriptionName key={id} id={id} />),
  ];
  return (
    <>
      {" "}
      Used by:{" "}
      {names.map((name, i) => (
        <span key={i}>
          {i > 0 && ", "}
          {name}
        </span>
      ))}
      .
    </>
  );
}

export function ActionsMenu({ subscriptionId, workflows }: { subscriptionId: string; workflows: SubscriptionWorkflows | undefined }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const menuId = useId();
  const navigate = useNavigate();

  const items: Item[] = GROUPS.flatMap((group) => {
    const list = (workflows?.[group.key] ?? []) as SubscriptionWorkflow[];
    return list.map((workflow) => ({ workflow, group, reason: workflow.reason ? reasonText(workflow.reason, workflow) : undefined }));
  });

  const focusItem = (index: number) => {
    const elements = menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]');
    if (!elements || elements.length === 0) return;
    elements[(index + elements.length) % elements.length]?.focus();
  };

  useEffect(() => {
    if (!open) return;
    focusItem(0);
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node) && !button.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  function choose(item: Item) {
    if (item.reason) return;
    setOpen(false);
    const base = item.group.task ? "/tasks" : "/workflows";
    navigate(`${base}/new/${encodeURIComponent(item.workflow.name)}?subscription_id=${encodeURIComponent(subscriptionId)}`);
  }

  function onMenuKey(event: KeyboardEvent<HTMLDivElement>) {
    const elements = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const index = elements.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: elements.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      focusItem(moves[event.key]!);
    } else if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === "Tab") {
      setOpen(false);
    }
  }

  return (
    <div className="menu-wrap">
      <button
        ref={button}
        type="button"
        className="primary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown") {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        Actions ▾
      </button>
      {open && (
        <div ref={menu} id={menuId} role="menu" aria-label="Actions" className="menu" onKeyDown={onMenuKey}>
          {workflows?.reason && (
            <p className="menu-note">{reasonText(workflows.reason)}</p>
          )}
          {items.length === 0 && <p className="menu-note">No workflows for this product.</p>}
          {GROUPS.map((group) => {
            const groupItems = items.filter((item) => item.group === group);
            if (groupItems.length === 0) return null;
            return (
              <div key={group.key} role="group" aria-label={group.label} className="menu-group">
                <div className="menu-group-label" aria-hidden="true">
                  {group.label}
                </div>
                {groupItems.map((item) => (
                  <div
                    key={item.workflow.name}
                    role="menuitem"
                    tabIndex={-1}
                    aria-disabled={item.reason ? true : undefined}
                    data-workflow={item.workflow.name}
                    className={`menu-item${item.reason ? " disabled" : ""}`}
                    onClick={() => choose(item)}
                    onKeyDown={(event) => {
                      if (event.key === "Enter" || event.key === " ") {
                        event.preventDefault();
                        choose(item);
                      }
                    }}
                  >
                    <span className="menu-item-title">{item.workflow.description || item.workflow.name}</span>
                    {item.reason && (
                      <span className="menu-item-reason">
                        {item.reason}
                        <Blockers entry={item.workflow} />
                      </span>
                    )}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
