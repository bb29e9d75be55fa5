/** The engine's pause switch (`PUT /settings/status`) and the server's refusal while it is paused. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "./client.ts";
import { keys } from "./queries.ts";
import type { EngineStatus } from "./types.ts";

/** Whether an error is the server refusing a change to processes because the engine is paused (503, as the original). */
export function isEngineLocked(error: unknown): boolean {
  return error instanceof ApiError && error.status === 503 && error.message.startsWith("Engine is locked");
}

/** Pauses (`true`) or resumes (`false`) the engine; the cached engine status follows at once. */
export function useSetEngineLock() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (globalLock: boolean) => api<EngineStatus>("PUT", "/settings/status", { global_lock: globalLock }),
    onSuccess: (status) => {
      if (status) client.setQueryData(keys.engineStatus(), status);
      void client.invalidateQueries({ queryKey: keys.engineStatus() });
    },
  });
}
