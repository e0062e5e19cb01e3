import type { Deliver } from "@/server/events/outbox";
import { inngest } from "./client";

/** Forward an outbox entry to Inngest (boot hands it to the worker); the outbox id is the idempotency id. */
export const sendToInngest: Deliver = async (_db, entry) => {
  await inngest.send({
    id: `outbox-${entry.id}`,
    name: entry.name,
    data: { ...entry.payload, workspaceId: entry.workspaceId, outboxId: entry.id },
  });
};
