/**
 * The words of the conversation search (the list's `q`). Messages are indexed by these words at
 * write time (message_terms) and a query is cut into words the same way, so both sides agree on
 * what a word is: a run of letters, combining marks and digits, after NFKC normalisation
 * (full-width and compatibility forms fold to their plain letters) and lower-casing.
 * Combining marks stay inside a word because several scripts (Devanagari, Thai, …) write
 * vowels with them; splitting there would cut those words apart.
 */

/** Longest term kept, in code points: a longer word is cut, in messages and in queries alike. */
export const MAX_TERM_LENGTH = 64;
/** Distinct words indexed per message: bounds the index rows one message write adds. */
const MAX_TERMS_PER_MESSAGE = 500;

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

const cut = (word: string) =>
  word.length <= MAX_TERM_LENGTH ? word : Array.from(word).slice(0, MAX_TERM_LENGTH).join("");

/** The distinct words of a text, in order of first appearance, at most `limit` of them. */
export function searchTerms(text: string | null | undefined, limit = MAX_TERMS_PER_MESSAGE): string[] {
  if (!text) return [];
  const terms = new Set<string>();
  for (const [word] of text.normalize("NFKC").toLowerCase().matchAll(WORD)) {
    terms.add(cut(word));
    if (terms.size >= limit) break;
  }
  return [...terms];
}

/** The words of a search query; none when it holds no letter or digit (only punctuation, say). */
export const queryWords = (q: string) => searchTerms(q);

/**
 * The half-open range [word, upper) of every term that starts with `word`, for an index range
 * scan. SQLite compares text as UTF-8 bytes, i.e. in code point order (not JavaScript's UTF-16
 * unit order), so the bound is the word with its last code point raised by one; the surrogate
 * block is skipped, as no text holds those code points.
 */
export function prefixRange(word: string): [string, string] {
  const points = Array.from(word);
  const next = points.pop()!.codePointAt(0)! + 1;
  return [word, points.join("") + String.fromCodePoint(next === 0xd800 ? 0xe000 : next)];
}
