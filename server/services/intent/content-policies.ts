import type { Db } from "@/db/client";
import { configTransaction } from "../core/change-config";
import type { LabelPolicyRow } from "../core/workspace-state";
import { firePolicy, firingActive, lockEndUserLabels } from "./evaluate-policies";

/**
 * The enabled content-stage policies that watch one of this call's content labels (what the
 * check read in its tool results and retrieved content). Cheap and synchronous: a check whose
 * content is clean, or a workspace with no such policy, goes on without awaiting anything.
 */
export function contentPoliciesWatching(policies: LabelPolicyRow[], contentLabels: string[]): LabelPolicyRow[] {
  if (contentLabels.length === 0) return [];
  return policies.filter((p) => p.enabled && p.stage === "content" && contentLabels.includes(p.label));
}

/**
 * Content-stage label policies: a prompt injection in what the application fetched for this call
 * (a page, a file, a tool's output) is the page's attack, not the reader's, so nothing counts
 * against the end user: no label row, no blocklist entry. An enforced `block` refuses this very
 * call (`reason: "content"`); `alert` lets it through and tells the alert channels; a shadow policy
 * records its would-have firing. A firing (row, policy.fired event, audit row) is written at most
 * once per policy, end user and window, so an injected page read on every call does not write on
 * every call; each of those calls is refused all the same.
 */
export async function applyContentPolicies(
  db: Db,
  input: { workspaceId: string; userId: string; checkId: string; watched: LabelPolicyRow[]; now: Date },
): Promise<{ deny: LabelPolicyRow | null }> {
  const { workspaceId, userId, checkId, watched, now } = input;
  await configTransaction(db, async (tx) => {
    // The same per-user lock as the labeller and the check stage: two checks fire a policy once.
    await lockEndUserLabels(tx, workspaceId, userId);
    for (const p of watched) {
      if (await firingActive(tx, p, workspaceId, userId, now)) continue;
      await firePolicy(tx, p, { workspaceId, userId, eventId: checkId, count: 1, now });
    }
  });
  return { deny: watched.find((p) => p.action === "block" && p.mode !== "shadow") ?? null };
}

/** The refusal's words: which policy, and that the content, not the user, was the reason. */
export function contentDenialMessage(userId: string, policy: LabelPolicyRow): string {
  return `Request of user ${userId} refused by label policy "${policy.name}": a tool result or retrieved content of this call carries ${
    policy.label === "jailbreak" ? "a prompt injection" : policy.label
  } (the user is not blocked)`;
}
