import { boot } from "@/server/boot";
import { deliverCrossing } from "@/server/services/alerts/deliver-crossing";
import { inngest } from "../client";
import { LIMIT_CROSSED, ZOutboxEnvelope } from "../events";

// tokenist/limit.crossed → e-mail, Slack and signed webhooks, once per channel.
export const deliverAlert = inngest.createFunction(
  { id: "deliver-alert", triggers: [{ event: LIMIT_CROSSED }], retries: 8 },
  async ({ event, step }) => {
    const { outboxId } = ZOutboxEnvelope.parse(event.data);
    return step.run("deliver-to-channels", async () => deliverCrossing(await boot(), { outboxId, payload: event.data }));
  },
);
