import { agentsRouter } from "./agents";
import { attachmentsRouter } from "./attachments";
import { contactsRouter } from "./contacts";
import { inboxMembersRouter } from "./inbox-members";
import { inboxesRouter } from "./inboxes";
import { teamsRouter } from "./teams";
import { routingRouter } from "./routing";
import { conversationsRouter } from "./conversations";
import { messagesRouter } from "./messages";
import { healthRouter } from "./health";
import { platformRouter } from "./platform";
import { profileRouter } from "./profile";
import { publicRouter } from "./public";
import { webhooksRouter } from "./webhooks";
import { cableRouter } from "./cable";
import { authRouter } from "./auth";
import { cannedResponsesRouter } from "./canned-responses";
import { labelsRouter } from "./labels";
import { notificationsRouter } from "./notifications";
import { csatSurveyResponsesRouter } from "./csat-survey-responses";
import { agentBotsRouter } from "./agent-bots";
import { contactMergeRouter } from "./contact-merge";
import { contactNotesRouter } from "./contact-notes";
import { eventsRouter } from "./events";

/** Every router the app mounts, in one list. */
export const routers = [
  healthRouter,
  contactsRouter,
  conversationsRouter,
  messagesRouter,
  attachmentsRouter,
  profileRouter,
  platformRouter,
  inboxesRouter,
  inboxMembersRouter,
  publicRouter,
  agentsRouter,
  teamsRouter,
  routingRouter,
  webhooksRouter,
  cableRouter,
  authRouter,
  cannedResponsesRouter,
  labelsRouter,
  notificationsRouter,
  csatSurveyResponsesRouter,
  agentBotsRouter,
  contactNotesRouter,
  contactMergeRouter,
  eventsRouter,
];
