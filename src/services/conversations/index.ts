// Conversations: listing and counting (list), loading one for a caller (view), creating (create),
// and what they run with (context). Status, assignment, labels and the like are in actions.ts.
export * from "./context";
export * from "./create";
export * from "./list";
export * from "./view";
