/**
 * Chatwoot's mention markup, as its dashboard writes it into a private note:
 * `[@Display Name](mention://user/<id>/<url-encoded name>)`. Only this markup mentions someone; a
 * plain `@Name` is text (names are not unique, and Chatwoot does not read them either).
 */
const MENTION = /\[([^\]\n]{0,255})\]\(mention:\/\/user\/(\d{1,15})\/([^)\s]{0,512})\)/g;

/** At most this many agents are mentioned by one note; further ones are ignored. */
export const MAX_MENTIONS = 25;

/** The distinct user ids a note's content mentions, in order of appearance (at most MAX_MENTIONS). */
export function mentionedUserIds(content: string | null | undefined): number[] {
  if (!content) return [];
  const ids: number[] = [];
  for (const match of content.matchAll(MENTION)) {
    const id = Number(match[2]);
    if (Number.isSafeInteger(id) && id > 0 && !ids.includes(id)) ids.push(id);
    if (ids.length === MAX_MENTIONS) break;
  }
  return ids;
}

/** The content with each mention shown as `@Name` (Chatwoot's `transform_user_mention_content`). */
export function plainMentions(content: string): string {
  return content.replace(MENTION, (_all, label: string, _id, encoded: string) => {
    const shown = label.trim() || safeDecode(encoded);
    return shown.startsWith("@") ? shown : `@${shown}`;
  });
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The markup that mentions this agent (what the console inserts). */
export const mentionMarkup = (id: number, name: string) =>
  `[@${name}](mention://user/${id}/${encodeURIComponent(name)})`;
