import { Inngest } from "inngest";
import { env } from "@/server/env";

/**
 * The one Inngest client. With INNGEST_EVENT_KEY (Inngest Cloud or self-hosted, with
 * INNGEST_BASE_URL) the outbox forwards domain events here; without it, the same services
 * run in-process from the outbox (server/events/worker.ts).
 */
export const inngest = new Inngest({ id: "tokenist" });

export function inngestConfigured(): boolean {
  const config = env();
  return Boolean(config.INNGEST_EVENT_KEY || config.INNGEST_DEV);
}
