-- Custom SQL migration file, put your code below! --
-- contact_grams follows every insert, change and delete of a contact's name, e-mail, phone number
-- or identifier, in the same transaction as the write (cascaded deletes included). A field is cut
-- into the three-character runs that start at each position (gram_positions: 1..1000).
INSERT INTO `gram_positions` (`i`)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) SELECT i FROM n;
--> statement-breakpoint
CREATE TRIGGER `contact_grams_insert` AFTER INSERT ON `contacts`
BEGIN
  INSERT OR IGNORE INTO `contact_grams` (`account_id`, `gram`, `contact_id`)
  SELECT NEW.`account_id`, substr(lower(f.value), p.`i`, 3), NEW.`id`
  FROM json_each(json_array(NEW.`name`, NEW.`email`, NEW.`phone_number`, NEW.`identifier`)) f
  JOIN `gram_positions` p ON p.`i` <= length(f.value) - 2
  WHERE f.value IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `contact_grams_update` AFTER UPDATE OF `account_id`, `name`, `email`, `phone_number`, `identifier`
ON `contacts`
WHEN OLD.`account_id` IS NOT NEW.`account_id` OR OLD.`name` IS NOT NEW.`name` OR OLD.`email` IS NOT NEW.`email`
  OR OLD.`phone_number` IS NOT NEW.`phone_number` OR OLD.`identifier` IS NOT NEW.`identifier`
BEGIN
  DELETE FROM `contact_grams` WHERE `contact_id` = OLD.`id`;
  INSERT OR IGNORE INTO `contact_grams` (`account_id`, `gram`, `contact_id`)
  SELECT NEW.`account_id`, substr(lower(f.value), p.`i`, 3), NEW.`id`
  FROM json_each(json_array(NEW.`name`, NEW.`email`, NEW.`phone_number`, NEW.`identifier`)) f
  JOIN `gram_positions` p ON p.`i` <= length(f.value) - 2
  WHERE f.value IS NOT NULL;
END;
--> statement-breakpoint
CREATE TRIGGER `contact_grams_delete` AFTER DELETE ON `contacts`
BEGIN
  DELETE FROM `contact_grams` WHERE `contact_id` = OLD.`id`;
END;
--> statement-breakpoint
-- The contacts already there.
INSERT OR IGNORE INTO `contact_grams` (`account_id`, `gram`, `contact_id`)
SELECT c.`account_id`, substr(lower(f.value), p.`i`, 3), c.`id`
FROM `contacts` c, json_each(json_array(c.`name`, c.`email`, c.`phone_number`, c.`identifier`)) f
JOIN `gram_positions` p ON p.`i` <= length(f.value) - 2
WHERE f.value IS NOT NULL;
