-- Custom SQL migration file, put your code below! --
-- conversation_counts follows every insert, delete and change of inbox, status or assignee of a
-- conversation, in the same transaction as the write (cascaded deletes included).
CREATE TRIGGER `conversation_counts_insert` AFTER INSERT ON `conversations`
BEGIN
  INSERT INTO `conversation_counts` (`account_id`, `inbox_id`, `status`, `assignee_id`, `count`)
  VALUES (NEW.`account_id`, NEW.`inbox_id`, NEW.`status`, coalesce(NEW.`assignee_id`, 0), 1)
  ON CONFLICT (`account_id`, `status`, `inbox_id`, `assignee_id`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `conversation_counts_delete` AFTER DELETE ON `conversations`
BEGIN
  UPDATE `conversation_counts` SET `count` = `count` - 1
  WHERE `account_id` = OLD.`account_id` AND `status` = OLD.`status` AND `inbox_id` = OLD.`inbox_id`
    AND `assignee_id` = coalesce(OLD.`assignee_id`, 0);
END;
--> statement-breakpoint
CREATE TRIGGER `conversation_counts_update` AFTER UPDATE OF `account_id`, `inbox_id`, `status`, `assignee_id`
ON `conversations`
WHEN OLD.`account_id` IS NOT NEW.`account_id` OR OLD.`inbox_id` IS NOT NEW.`inbox_id`
  OR OLD.`status` IS NOT NEW.`status` OR OLD.`assignee_id` IS NOT NEW.`assignee_id`
BEGIN
  UPDATE `conversation_counts` SET `count` = `count` - 1
  WHERE `account_id` = OLD.`account_id` AND `status` = OLD.`status` AND `inbox_id` = OLD.`inbox_id`
    AND `assignee_id` = coalesce(OLD.`assignee_id`, 0);
  INSERT INTO `conversation_counts` (`account_id`, `inbox_id`, `status`, `assignee_id`, `count`)
  VALUES (NEW.`account_id`, NEW.`inbox_id`, NEW.`status`, coalesce(NEW.`assignee_id`, 0), 1)
  ON CONFLICT (`account_id`, `status`, `inbox_id`, `assignee_id`) DO UPDATE SET `count` = `count` + 1;
END;
--> statement-breakpoint
INSERT INTO `conversation_counts` (`account_id`, `inbox_id`, `status`, `assignee_id`, `count`)
SELECT `account_id`, `inbox_id`, `status`, coalesce(`assignee_id`, 0), count(*) FROM `conversations`
GROUP BY 1, 2, 3, 4;
