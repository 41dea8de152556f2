CREATE TABLE `contact_grams` (
	`account_id` integer NOT NULL,
	`gram` text NOT NULL,
	`contact_id` integer NOT NULL,
	PRIMARY KEY(`account_id`, `gram`, `contact_id`)
);
--> statement-breakpoint
CREATE INDEX `contact_grams_contact_idx` ON `contact_grams` (`contact_id`);--> statement-breakpoint
CREATE TABLE `gram_positions` (
	`i` integer PRIMARY KEY NOT NULL
);
