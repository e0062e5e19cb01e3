import { boot } from "@/server/boot";
import { runRetention } from "@/server/services/maintenance/retention";
import { inngest } from "../client";

// Daily: events and payload logs past each workspace's plan retention. Rollups stay.
export const retentionCleanup = inngest.createFunction(
  { id: "retention-cleanup", triggers: [{ cron: "TZ=UTC 0 3 * * *" }] },
  async ({ step }) => step.run("delete-expired", async () => runRetention(await boot())),
);
