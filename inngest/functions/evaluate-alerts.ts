import { boot } from "@/server/boot";
import { evaluateAlertsForEvent } from "@/server/services/alerts/evaluate-alerts";
import { inngest } from "../client";
import { EVENT_RECORDED, ZEventRecorded } from "../events";

// tokenist/event.recorded → fire the threshold alerts the event's subjects reached.
export const evaluateAlerts = inngest.createFunction(
  { id: "evaluate-alerts", triggers: [{ event: EVENT_RECORDED }], retries: 5 },
  async ({ event, step }) => {
    const data = ZEventRecorded.parse(event.data);
    return step.run("evaluate-alerts", async () =>
      evaluateAlertsForEvent(await boot(), { workspaceId: data.workspaceId, eventId: data.eventId }),
    );
  },
);
