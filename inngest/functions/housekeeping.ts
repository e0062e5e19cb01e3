import { boot } from "@/server/boot";
import { runHousekeeping } from "@/server/services/maintenance/housekeeping";
import { inngest } from "../client";

// Every 5 minutes: expired reservations, stale reservation counters, old delivered outbox rows.
export const housekeeping = inngest.createFunction(
  { id: "housekeeping", triggers: [{ cron: "*/5 * * * *" }] },
  async ({ step }) => step.run("housekeeping", async () => runHousekeeping(await boot())),
);
