// Conversations: listing and counting (list), loading one for a caller (view) and creating
// (create). Status, assignment, labels and the like are in actions.ts; what they run with is
// `AgentContext` (services/context.ts).
export * from "./create";
export * from "./list";
export * from "./view";
