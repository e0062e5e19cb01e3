import type { Db } from "@/db/client";
import { deliverCrossing } from "@/server/services/alerts/deliver-crossing";
import { deliverWebhookEvent, type WebhookEventName } from "@/server/services/alerts/deliver-event";
import { evaluateAlertsForEvent } from "@/server/services/alerts/evaluate-alerts";
import { notifyQuotaCrossed } from "@/server/services/billing/notify-owners";
import { applyLabels } from "@/server/services/intent/apply-labels";
import { decideEventLabels } from "@/server/services/intent/label-event";
import { CATALOGUE, EVENT_NAMES, EVENTS, type EventName, type EventPayload } from "./catalogue";

/**
 * A reaction's steps. On Inngest each is a step.run, memoised: a retry does not redo a finished
 * step, so results must be plain data (they round-trip as JSON). In-process they run in turn.
 */
export interface Steps {
  run<T>(id: string, work: () => Promise<T>): Promise<T>;
}

/** What Inngest accepts as a function's retries. */
export type Retries = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20;

export interface Reaction<E extends EventName> {
  /** The Inngest function id (keep it stable: Inngest keys runs by it); in-process it names the handler in errors. */
  id: string;
  /** Inngest's retries; the in-process outbox retries the whole entry with backoff instead. */
  retries: Retries;
  // Method syntax: a reaction to one event still fits the list of all reactions.
  handler(io: { db: Db; payload: EventPayload<E>; step: Steps }): Promise<unknown>;
}

const nothingToLabel = { applied: false, skipped: "nothing_to_label" } as const;

/** An automation event to the workspace's webhook channels, once per channel (signed; Growth, checked at send time). */
function toWebhooks<E extends WebhookEventName>(name: E): Reaction<E> {
  return {
    id: `webhook-${name.slice(name.indexOf("/") + 1).replace(/[._]/g, "-")}`,
    retries: 8,
    handler: ({ db, payload, step }) =>
      step.run("deliver-to-webhooks", () => {
        const { workspaceId, outboxId } = payload;
        return deliverWebhookEvent(db, { name, workspaceId, outboxId, payload: payload as Record<string, unknown> });
      }),
  };
}

/**
 * What reacts to each domain event, the one list both deliveries derive from: the in-process
 * outbox (server/events/outbox.ts) and the Inngest functions (inngest/functions). Every event
 * has at least one reaction, or this does not compile. Every handler is idempotent: an entry
 * delivered twice has one effect.
 */
export const REACTIONS = {
  [EVENTS.eventRecorded]: [
    // Fire the threshold alerts the event's subjects reached.
    {
      id: "evaluate-alerts",
      retries: 5,
      handler: ({ db, payload, step }) =>
        step.run("evaluate-alerts", () => evaluateAlertsForEvent(db, { workspaceId: payload.workspaceId, eventId: payload.eventId })),
    },
    // Intent labels (LLM, falling back to the built-in classifier) on the event and its end user,
    // then the label policies. Two steps: a failed write does not pay for the LLM call again (the
    // decide step adds the calls' cost as it makes them). The text never leaves the database for
    // Inngest: step results carry labels only.
    {
      id: "label-event",
      retries: 5,
      handler: async ({ db, payload, step }) => {
        if (!payload.hasText) return nothingToLabel;
        const target = { workspaceId: payload.workspaceId, eventId: payload.eventId };
        const decided = await step.run("decide-labels", () => decideEventLabels(db, target));
        if (!decided) return nothingToLabel;
        return step.run("apply-labels", () => applyLabels(db, decided.target, decided.decision));
      },
    },
  ],
  [EVENTS.limitCrossed]: [
    // E-mail, Slack and signed webhooks, once per channel.
    {
      id: "deliver-alert",
      retries: 8,
      handler: ({ db, payload, step }) =>
        step.run("deliver-to-channels", () => deliverCrossing(db, { outboxId: payload.outboxId, payload })),
    },
  ],
  [EVENTS.quotaCrossed]: [
    // "80% (or 100%) of this month's requests used" to the workspace's owners.
    {
      id: "notify-owners",
      retries: 8,
      handler: ({ db, payload, step }) =>
        step.run("email-owners", () => notifyQuotaCrossed(db, { workspaceId: payload.workspaceId, payload })),
    },
  ],
  [EVENTS.endUserBlocked]: [toWebhooks(EVENTS.endUserBlocked)],
  [EVENTS.endUserUnblocked]: [toWebhooks(EVENTS.endUserUnblocked)],
  [EVENTS.endUserLabelled]: [toWebhooks(EVENTS.endUserLabelled)],
  [EVENTS.endUserTierChanged]: [toWebhooks(EVENTS.endUserTierChanged)],
  [EVENTS.policyFired]: [toWebhooks(EVENTS.policyFired)],
} satisfies { [E in EventName]: readonly [Reaction<E>, ...Reaction<E>[]] };

/** A reaction bound to its event: the form both deliveries run. */
export interface BoundReaction {
  on: EventName;
  id: string;
  retries: Retries;
  /**
   * Parse `data` with the catalogue's schema first (a malformed payload does nothing), then get
   * the database (on Inngest that boots the app) and react.
   */
  run(io: { data: unknown; db: () => Promise<Db>; step: Steps }): Promise<unknown>;
}

function bind<E extends EventName>(on: E, reaction: Reaction<E>): BoundReaction {
  const schema = CATALOGUE[on];
  return {
    on,
    id: reaction.id,
    retries: reaction.retries,
    run: async ({ data, db, step }) => {
      // TypeScript cannot narrow CATALOGUE[E] for a generic E; CATALOGUE's keys make this exact.
      const payload = schema.parse(data) as EventPayload<E>;
      return reaction.handler({ db: await db(), payload, step });
    },
  };
}

/** Every reaction, bound, in catalogue order. */
export const REACTION_LIST: readonly BoundReaction[] = EVENT_NAMES.flatMap((on) => REACTIONS[on].map((r) => bind(on, r)));
