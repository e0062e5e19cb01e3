import { Inngest } from "inngest";

/**
 * The one Inngest client. With INNGEST_EVENT_KEY (Inngest Cloud or self-hosted, with
 * INNGEST_BASE_URL) the outbox forwards domain events here; without it, the same services
 * run in-process from the outbox (server/services/background/worker.ts).
 */
export const inngest = new Inngest({ id: "tokenist" });

export function inngestConfigured(): boolean {
  return Boolean(process.env.INNGEST_EVENT_KEY || process.env.INNGEST_DEV);
}
