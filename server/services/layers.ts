/**
 * The service domains, top to bottom. A domain imports only from domains below it (never a
 * peer on its own line, never one above), so no change to a lower domain can depend on a
 * higher one. The files at the root of server/services (context, errors, workspace-caps) sit
 * below all of them. Checked by tests/unit/service-layers.test.ts.
 */
export const SERVICE_LAYERS: ReadonlyArray<readonly string[]> = [
  // Sales enquiries from the landing page: stored, and e-mailed to the operator.
  ["setup", "maintenance", "dashboard", "sales"],
  ["end-users", "events"],
  ["usage"],
  ["metering"],
  // Alerts read the counters guardrails keep (guardrails/read-usage).
  ["alerts"],
  ["guardrails"],
  ["billing"],
  // Single sign-on: signs members in (auth's take-over) and gives them memberships (members).
  ["sso"],
  ["auth"],
  ["members"],
  ["workspaces"],
  ["intent"],
  ["blocklist"],
  ["api-keys"],
  // Saved filters over end users: read by usage, end users, rules and policies; materialised for the check path.
  ["segments"],
  // Sending one message to one channel (e-mail, Slack, a signed webhook): alerts and quota notices.
  ["channels"],
  ["email"],
  // Shared mechanisms: time and windows, usage parsing and pricing, the per-process config cache and its writes.
  ["core"],
  ["audit"],
];
