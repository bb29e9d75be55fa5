/**
 * The library's configuration, from the environment of the Next server (read on every page request, server side, so
 * one build serves any orchestrator-ts address). Defaults: an orchestrator-ts server on http://127.0.0.1:8080 with
 * authentication off (its default), websockets on (orchestrator-ts always serves /api/ws/events).
 */
import type { OrchestratorConfig } from "@orchestrator-ui/orchestrator-ui-components";

const flag = (value: string | undefined, otherwise: boolean) => (value === undefined || value === "" ? otherwise : value.toLowerCase() === "true");

export function orchestratorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const apiHost = env.ORCHESTRATOR_API_HOST || "http://127.0.0.1:8080";
  const graphqlHost = env.ORCHESTRATOR_GRAPHQL_HOST || apiHost;
  const websocket = env.ORCHESTRATOR_WEBSOCKET_URL || `${apiHost.replace(/^http/, "ws")}/api/ws/events`;
  const filters = env.START_WORKFLOW_FILTERS?.trim();
  return {
    environmentName: env.ENVIRONMENT_NAME || "Development",
    orchestratorApiBaseUrl: `${apiHost}${env.ORCHESTRATOR_API_PATH || "/api"}`,
    graphqlEndpointCore: `${graphqlHost}${env.ORCHESTRATOR_GRAPHQL_PATH || "/api/graphql"}`,
    orchestratorWebsocketUrl: websocket,
    useWebSockets: flag(env.USE_WEB_SOCKETS, true),
    authActive: flag(env.OAUTH2_ACTIVE, false),
    useThemeToggle: flag(env.USE_THEME_TOGGLE, false),
    showWorkflowInformationLink: false,
    workflowInformationLinkUrl: "",
    showWorkflowUserGuide: false,
    enableSupportMenuItem: false,
    supportMenuItemUrl: "",
    enableAoStackStatus: false,
    aoStackStatusUrl: "",
    startWorkflowFilters: filters ? filters.split("|") : undefined,
  };
}
