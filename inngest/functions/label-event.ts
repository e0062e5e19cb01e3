import { boot } from "@/server/boot";
import { applyLabels } from "@/server/services/intent/apply-labels";
import { decideEventLabels } from "@/server/services/intent/label-event";
import { inngest } from "../client";
import { EVENT_RECORDED, ZEventRecorded } from "../events";

// tokenist/event.recorded → intent labels (LLM, falling back to the built-in classifier) on the
// event and its end user, then the label policies. Two steps: a failed write does not pay for
// the LLM call again. The text never leaves the database: step results carry labels only.
export const labelEvent = inngest.createFunction(
  { id: "label-event", triggers: [{ event: EVENT_RECORDED }], retries: 5 },
  async ({ event, step }) => {
    const data = ZEventRecorded.parse(event.data);
    if (!data.hasText) return { applied: false, skipped: "nothing_to_label" };
    const decided = await step.run("decide-labels", async () =>
      decideEventLabels(await boot(), { workspaceId: data.workspaceId, eventId: data.eventId }),
    );
    if (!decided) return { applied: false, skipped: "nothing_to_label" };
    return step.run("apply-labels", async () => applyLabels(await boot(), decided.target, decided.decision));
  },
);
