/** RFC 5321's limit on a forward path; sign-up refuses anything longer. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * The one spelling of an e-mail address that sign-up stores, sign-in looks up and the
 * sign-in limiter counts. Counting any other spelling would hand out a fresh attempt budget
 * per variant (" Victim@x.com", "victim@x.com\t"…) while they all reach the same account.
 */
export function normaliseEmail(raw: unknown): string {
  return String(raw ?? "")
    .trim()
    .toLowerCase()
    .slice(0, MAX_EMAIL_LENGTH);
}
