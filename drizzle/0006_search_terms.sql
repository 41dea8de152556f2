CREATE TABLE `message_terms` (
	`account_id` integer NOT NULL,
	`term` text NOT NULL,
	`conversation_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	PRIMARY KEY(`account_id`, `term`, `conversation_id`, `message_id`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `message_terms_message_idx` ON `message_terms` (`message_id`);--> statement-breakpoint
CREATE TABLE `message_terms_backfill` (
	`id` integer PRIMARY KEY NOT NULL,
	`next_id` integer NOT NULL,
	`end_id` integer NOT NULL
);
