CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`locale` text DEFAULT 'en' NOT NULL,
	`domain` text,
	`support_email` text,
	`status` text DEFAULT 'active' NOT NULL,
	`custom_attributes` text DEFAULT '{}' NOT NULL,
	`last_display_id` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `access_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_tokens_hash_uq` ON `access_tokens` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `access_tokens_user_uq` ON `access_tokens` (`user_id`);--> statement-breakpoint
CREATE TABLE `account_users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`role` text DEFAULT 'agent' NOT NULL,
	`availability` text DEFAULT 'offline' NOT NULL,
	`auto_offline` integer DEFAULT true NOT NULL,
	`last_assigned_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `account_users_account_user_uq` ON `account_users` (`account_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `account_users_user_idx` ON `account_users` (`user_id`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`display_name` text,
	`email` text NOT NULL,
	`password_hash` text,
	`message_signature` text,
	`avatar_url` text,
	`pubsub_token` text NOT NULL,
	`custom_attributes` text DEFAULT '{}' NOT NULL,
	`ui_settings` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_uq` ON `users` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_pubsub_token_uq` ON `users` (`pubsub_token`);--> statement-breakpoint
CREATE TABLE `inbox_members` (
	`inbox_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`inbox_id`, `user_id`),
	FOREIGN KEY (`inbox_id`) REFERENCES `inboxes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `inbox_members_user_idx` ON `inbox_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `inboxes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`channel_type` text DEFAULT 'Channel::Api' NOT NULL,
	`identifier` text NOT NULL,
	`webhook_url` text,
	`hmac_token` text NOT NULL,
	`hmac_mandatory` integer DEFAULT false NOT NULL,
	`secret` text NOT NULL,
	`enable_auto_assignment` integer DEFAULT true NOT NULL,
	`auto_assignment_config` text DEFAULT '{}' NOT NULL,
	`lock_to_single_conversation` integer DEFAULT false NOT NULL,
	`allow_messages_after_resolved` integer DEFAULT true NOT NULL,
	`greeting_enabled` integer DEFAULT false NOT NULL,
	`greeting_message` text,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`working_hours_enabled` integer DEFAULT false NOT NULL,
	`out_of_office_message` text,
	`csat_survey_enabled` integer DEFAULT false NOT NULL,
	`avatar_url` text,
	`additional_attributes` text DEFAULT '{}' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inboxes_identifier_uq` ON `inboxes` (`identifier`);--> statement-breakpoint
CREATE INDEX `inboxes_account_idx` ON `inboxes` (`account_id`);--> statement-breakpoint
CREATE TABLE `team_members` (
	`team_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`team_id`, `user_id`),
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `team_members_user_idx` ON `team_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`allow_auto_assign` integer DEFAULT true NOT NULL,
	`icon` text,
	`icon_color` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_account_name_uq` ON `teams` (`account_id`,`name`);--> statement-breakpoint
CREATE TABLE `contact_inboxes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`contact_id` integer NOT NULL,
	`inbox_id` integer NOT NULL,
	`source_id` text NOT NULL,
	`pubsub_token` text NOT NULL,
	`hmac_verified` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`inbox_id`) REFERENCES `inboxes`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contact_inboxes_inbox_source_uq` ON `contact_inboxes` (`inbox_id`,`source_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `contact_inboxes_pubsub_uq` ON `contact_inboxes` (`pubsub_token`);--> statement-breakpoint
CREATE INDEX `contact_inboxes_contact_idx` ON `contact_inboxes` (`contact_id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`email` text,
	`phone_number` text,
	`identifier` text,
	`avatar_url` text,
	`blocked` integer DEFAULT false NOT NULL,
	`custom_attributes` text DEFAULT '{}' NOT NULL,
	`additional_attributes` text DEFAULT '{}' NOT NULL,
	`last_activity_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_account_identifier_uq` ON `contacts` (`account_id`,`identifier`);--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_account_email_uq` ON `contacts` (`account_id`,`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_account_phone_uq` ON `contacts` (`account_id`,`phone_number`);--> statement-breakpoint
CREATE INDEX `contacts_account_created_idx` ON `contacts` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `contacts_account_name_idx` ON `contacts` (`account_id`,`name`);--> statement-breakpoint
CREATE INDEX `contacts_account_activity_idx` ON `contacts` (`account_id`,`last_activity_at`);--> statement-breakpoint
CREATE TABLE `conversation_labels` (
	`conversation_id` integer NOT NULL,
	`account_id` integer NOT NULL,
	`label` text NOT NULL,
	PRIMARY KEY(`conversation_id`, `label`),
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `conversation_labels_account_label_idx` ON `conversation_labels` (`account_id`,`label`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`display_id` integer NOT NULL,
	`uuid` text NOT NULL,
	`inbox_id` integer NOT NULL,
	`contact_id` integer NOT NULL,
	`contact_inbox_id` integer NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`priority` text,
	`assignee_id` integer,
	`team_id` integer,
	`labels` text DEFAULT '[]' NOT NULL,
	`custom_attributes` text DEFAULT '{}' NOT NULL,
	`additional_attributes` text DEFAULT '{}' NOT NULL,
	`muted` integer DEFAULT false NOT NULL,
	`snoozed_until` integer,
	`waiting_since` integer,
	`first_reply_created_at` integer,
	`last_activity_at` integer NOT NULL,
	`agent_last_seen_at` integer,
	`assignee_last_seen_at` integer,
	`contact_last_seen_at` integer,
	`last_message_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`inbox_id`) REFERENCES `inboxes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_id`) REFERENCES `contacts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`contact_inbox_id`) REFERENCES `contact_inboxes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assignee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_account_display_uq` ON `conversations` (`account_id`,`display_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `conversations_uuid_uq` ON `conversations` (`uuid`);--> statement-breakpoint
CREATE INDEX `conversations_account_status_activity_idx` ON `conversations` (`account_id`,`status`,`last_activity_at`);--> statement-breakpoint
CREATE INDEX `conversations_inbox_status_idx` ON `conversations` (`inbox_id`,`status`,`last_activity_at`);--> statement-breakpoint
CREATE INDEX `conversations_assignee_status_idx` ON `conversations` (`assignee_id`,`status`);--> statement-breakpoint
CREATE INDEX `conversations_team_idx` ON `conversations` (`team_id`);--> statement-breakpoint
CREATE INDEX `conversations_contact_idx` ON `conversations` (`contact_id`,`last_activity_at`);--> statement-breakpoint
CREATE INDEX `conversations_contact_inbox_idx` ON `conversations` (`contact_inbox_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` integer NOT NULL,
	`inbox_id` integer NOT NULL,
	`conversation_id` integer NOT NULL,
	`content` text,
	`message_type` text NOT NULL,
	`content_type` text DEFAULT 'text' NOT NULL,
	`content_attributes` text DEFAULT '{}' NOT NULL,
	`additional_attributes` text DEFAULT '{}' NOT NULL,
	`private` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'sent' NOT NULL,
	`echo_id` text,
	`source_id` text,
	`sender_type` text,
	`sender_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`inbox_id`) REFERENCES `inboxes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `messages_conversation_idx` ON `messages` (`conversation_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_source_idx` ON `messages` (`conversation_id`,`source_id`);