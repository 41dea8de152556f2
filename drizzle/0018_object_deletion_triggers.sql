-- Custom SQL migration file, put your code below! --
-- An R2 object is queued for deletion (object_deletions, drained by the retention job) when its last
-- row goes: an attachment deleted directly or by a cascade (message, conversation, contact, account),
-- or an upload removed without a message having taken its object.
CREATE TRIGGER `attachments_object_deleted` AFTER DELETE ON `attachments`
WHEN OLD.`object_key` IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM `attachments` a WHERE a.`object_key` = OLD.`object_key`)
BEGIN
  INSERT INTO `object_deletions` (`object_key`) VALUES (OLD.`object_key`);
END;
--> statement-breakpoint
CREATE TRIGGER `uploads_object_deleted` AFTER DELETE ON `uploads`
WHEN NOT EXISTS (SELECT 1 FROM `attachments` a WHERE a.`object_key` = OLD.`object_key`)
BEGIN
  INSERT INTO `object_deletions` (`object_key`) VALUES (OLD.`object_key`);
END;
