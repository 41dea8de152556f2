import { authenticate, creationReads, pathId } from "../../middleware/auth";
import { contactMergeReads } from "../../services/contact-merge";
import { ContactMergeBody } from "./contact-merge.schemas";

/** The two contacts the body names (`c.var.creationReads`), read with the token check. The body is never wrapped. */
export const withMergeReads = authenticate({
  account: true,
  load: creationReads(ContactMergeBody, "", (c, _callerId, input) =>
    contactMergeReads(c.var.db, pathId(c, "account_id"), input),
  ),
});
