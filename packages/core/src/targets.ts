/** What a workflow is for; stored as its string value in `workflows.target`. */
export const Target = {
  CREATE: "CREATE",
  MODIFY: "MODIFY",
  TERMINATE: "TERMINATE",
  SYSTEM: "SYSTEM",
  VALIDATE: "VALIDATE",
  RECONCILE: "RECONCILE",
} as const;
export type Target = (typeof Target)[keyof typeof Target];

export const TARGETS: readonly Target[] = Object.values(Target);

/** Targets whose workflows are tasks (`db migrate-tasks`, is_task). */
export const TASK_TARGETS: readonly Target[] = [Target.SYSTEM, Target.VALIDATE];
