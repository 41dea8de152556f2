export * from "./accounts";
export * from "./users";
export * from "./inboxes";
export * from "./teams";
export * from "./contacts";
export * from "./conversations";
export * from "./messages";
export * from "./attachments";
