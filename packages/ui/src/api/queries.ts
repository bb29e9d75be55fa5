/**
 * Query keys and query hooks. Keys start with the cache tag the websocket names (`processes`, `subscriptions`,
 * `processStatusCounts`, `engineStatus`), then `LIST` or the object's id, so an `invalidateCache` message maps
 * directly to a key prefix (see live/invalidate.ts).
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { apiGet, apiList } from "./client.ts";
import type { ListParams } from "./list-params.ts";
import type {
  DomainModel,
  EngineStatus,
  ProcessDetail,
  ProcessListItem,
  Product,
  ProductBlock,
  ResourceType,
  Schedule,
  StatusCounts,
  SubscriptionDetail,
  SubscriptionListItem,
  SubscriptionWorkflows,
  WorkerStatus,
  Workflow,
  WorkflowRegistration,
} from "./types.ts";

export const keys = {
  processes: (params: ListParams) => ["processes", "LIST", params] as const,
  process: (id: string) => ["processes", id] as const,
  statusCounts: () => ["processStatusCounts"] as const,
  subscriptions: (params: ListParams) => ["subscriptions", "LIST", params] as const,
  subscription: (id: string) => ["subscriptions", id, "detail"] as const,
  domainModel: (id: string) => ["subscriptions", id, "domain-model"] as const,
  subscriptionWorkflows: (id: string) => ["subscriptions", id, "workflows"] as const,
  engineStatus: () => ["engineStatus"] as const,
  workerStatus: () => ["workerStatus"] as const,
  products: () => ["products"] as const,
  productBlocks: () => ["productBlocks"] as const,
  resourceTypes: () => ["resourceTypes"] as const,
  workflows: (filter: string) => ["workflows", filter] as const,
  registration: () => ["workflows", "registration"] as const,
  schedules: () => ["schedules"] as const,
};

export const useProcesses = (params: ListParams) =>
  useQuery({
    queryKey: keys.processes(params),
    queryFn: () => apiList<ProcessListItem>("/processes", params),
    placeholderData: keepPreviousData,
  });

export const useProcess = (id: string) =>
  useQuery({ queryKey: keys.process(id), queryFn: () => apiGet<ProcessDetail>(`/processes/${id}`) });

export const useStatusCounts = () =>
  useQuery({ queryKey: keys.statusCounts(), queryFn: () => apiGet<StatusCounts>("/processes/status-counts") });

export const useSubscriptions = (params: ListParams) =>
  useQuery({
    queryKey: keys.subscriptions(params),
    queryFn: () => apiList<SubscriptionListItem>("/subscriptions", params),
    placeholderData: keepPreviousData,
  });

export const useSubscription = (id: string) =>
  useQuery({ queryKey: keys.subscription(id), queryFn: () => apiGet<SubscriptionDetail>(`/subscriptions/${id}`) });

export const useDomainModel = (id: string) =>
  useQuery({ queryKey: keys.domainModel(id), queryFn: () => apiGet<DomainModel>(`/subscriptions/domain-model/${id}`) });

export const useSubscriptionWorkflows = (id: string) =>
  useQuery({
    queryKey: keys.subscriptionWorkflows(id),
    queryFn: () => apiGet<SubscriptionWorkflows>(`/subscriptions/workflows/${id}`),
  });

export const useEngineStatus = () =>
  useQuery({ queryKey: keys.engineStatus(), queryFn: () => apiGet<EngineStatus>("/settings/status") });

export const useWorkerStatus = () =>
  useQuery({ queryKey: keys.workerStatus(), queryFn: () => apiGet<WorkerStatus>("/settings/worker-status") });

export const useProducts = () => useQuery({ queryKey: keys.products(), queryFn: () => apiGet<Product[]>("/products") });

export const useProductBlocks = () =>
  useQuery({ queryKey: keys.productBlocks(), queryFn: () => apiGet<ProductBlock[]>("/product_blocks") });

export const useResourceTypes = () =>
  useQuery({ queryKey: keys.resourceTypes(), queryFn: () => apiGet<ResourceType[]>("/resource_types") });

/** Workflows; `filter` is the query string (e.g. `target=CREATE&is_task=false`). */
export const useWorkflows = (filter = "") =>
  useQuery({
    queryKey: keys.workflows(filter),
    queryFn: () => apiGet<Workflow[]>(`/workflows${filter ? `?${filter}` : ""}`),
  });

/** Schedules; read again every second while a last run's process is still under way (its status shows its end). */
export const useSchedules = () =>
  useQuery({
    queryKey: keys.schedules(),
    queryFn: () => apiGet<Schedule[]>("/schedules"),
    refetchInterval: (query) =>
      query.state.data?.some((s) => ["created", "running", "resumed"].includes(s.last_process_status ?? "")) ? 1000 : false,
  });

export const useRegistration = () =>
  useQuery({ queryKey: keys.registration(), queryFn: () => apiGet<WorkflowRegistration[]>("/workflows/registration") });
