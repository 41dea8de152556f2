import type { Message } from "../api";
import { time } from "./ui";

/** A rating as five stars (decoration: the number is always written next to it). */
export const stars = (rating: number) => "★".repeat(rating) + "☆".repeat(5 - rating);

type CsatAnswer = { rating?: number; feedback_message?: string | null };

/** The inbox's CSAT survey in the thread: that it was sent, and the contact's rating once they answer. */
export function CsatMessage({ m }: { m: Message }) {
  const attributes = m.content_attributes as { submitted_values?: { csat_survey_response?: CsatAnswer } };
  const answer = attributes.submitted_values?.csat_survey_response;
  return (
    <li class="message template csat" aria-label="CSAT survey">
      <div class="message-head">
        <span class="tag">CSAT survey sent</span>
        <time>{time(m.created_at)}</time>
      </div>
      {m.content && <p class="content">{m.content}</p>}
      {answer?.rating ? (
        <p class="csat-answer">
          Rated <span aria-hidden="true">{stars(answer.rating)} </span>
          <strong>{answer.rating} / 5</strong>
          {answer.feedback_message ? <> · “{answer.feedback_message}”</> : null}
        </p>
      ) : (
        <p class="csat-answer muted">Not answered yet</p>
      )}
    </li>
  );
}
