CREATE INDEX `inboxes_agent_bot_idx` ON `inboxes` (`agent_bot_id`);--> statement-breakpoint
CREATE INDEX `messages_account_csat_idx` ON `messages` (`account_id`,`created_at`) WHERE "messages"."content_type" = 'input_csat';--> statement-breakpoint
CREATE INDEX `notifications_user_unread_idx` ON `notifications` (`user_id`,`account_id`,`read_at`);