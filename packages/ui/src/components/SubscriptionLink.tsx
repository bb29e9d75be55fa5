/** A link to a subscription, labelled by its description once known (else its short id). */
import { Link } from "react-router";
import { useSubscription } from "../api/queries.ts";
import { shortId } from "../format.ts";

export function SubscriptionLink({ id }: { id: string }) {
  const { data } = useSubscription(id);
  return <Link to={`/subscriptions/${id}`}>{data?.description ?? `subscription ${shortId(id)}`}</Link>;
}
