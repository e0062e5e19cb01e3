import { CRONS } from "@/server/events/crons";
import { REACTION_LIST, type Steps } from "@/server/events/reactions";
import { boot } from "@/server/boot";
import { inngest } from "../client";

/**
 * One Inngest function per reaction (server/events/reactions.ts) and per cron
 * (server/events/crons.ts): the same lists the in-process worker runs.
 */
export const reactionFunctions = REACTION_LIST.map((reaction) =>
  inngest.createFunction({ id: reaction.id, triggers: [{ event: reaction.on }], retries: reaction.retries }, async ({ event, step }) => {
    // Inngest memoises step results as JSON; every step of a reaction returns plain data.
    const steps: Steps = { run: (id, work) => step.run(id, work) as ReturnType<typeof work> };
    return reaction.run({ data: event.data, db: boot, step: steps });
  }),
);

export const cronFunctions = CRONS.map((cron) =>
  inngest.createFunction({ id: cron.id, triggers: [{ cron: cron.schedule }] }, async ({ step }) =>
    step.run(cron.stepId, async () => cron.run(await boot())),
  ),
);

export const functions = [...reactionFunctions, ...cronFunctions];

/** The function with this id (tests, tools). */
export function inngestFunction(id: string) {
  const fn = functions.find((f) => f.id() === id);
  if (!fn) throw new Error(`no Inngest function ${id}`);
  return fn;
}
