ALTER TABLE `inboxes` ADD `reassign_when_offline` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `routing_token` text;--> statement-breakpoint
CREATE INDEX `conversations_inbox_assignee_status_idx` ON `conversations` (`inbox_id`,`assignee_id`,`status`);--> statement-breakpoint
CREATE INDEX `conversations_routing_token_idx` ON `conversations` (`routing_token`);