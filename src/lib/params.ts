import { z } from "@hono/zod-openapi";
import { zId } from "./zod";

const id = (name: string, description: string) =>
  zId.openapi({ param: { name, in: "path" }, type: "integer", description });

export const AccountParams = z.object({ account_id: id("account_id", "Account id") });
export const accountChild = (name: string, description: string) =>
  AccountParams.extend({ [name]: id(name, description) } as Record<string, typeof zId>);
export const ContactParams = AccountParams.extend({ id: id("id", "Contact id") });
export const ConversationParams = AccountParams.extend({
  conversation_id: id("conversation_id", "Conversation display id"),
});
export const AttachmentParams = ConversationParams.extend({ attachment_id: id("attachment_id", "Attachment id") });

/**
 * A label filter sent as `labels` (`labels=a&labels=b`, `labels=a,b`) and as Rails clients send it
 * (`labels[]=a`), together: what carries any of them; undefined when neither was sent.
 */
export const labelFilterOf = (q: { labels?: string[]; "labels[]"?: string[] }) =>
  q.labels || q["labels[]"] ? [...(q.labels ?? []), ...(q["labels[]"] ?? [])] : undefined;
