CREATE TABLE `conversation_counts` (
	`account_id` integer NOT NULL,
	`inbox_id` integer NOT NULL,
	`status` text NOT NULL,
	`assignee_id` integer NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`account_id`, `status`, `inbox_id`, `assignee_id`)
);
