import { bigint, boolean, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const PLANS = ["free", "starter", "growth", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];
/**
 * Who set the plan: `self_serve` (Stripe checkout and its webhooks, or an owner by hand with billing
 * off) or `operator` (`npm run admin -- plan`: a sales deal, e.g. Enterprise on SaaS billing). Stripe
 * webhooks never change an operator-set plan (server/services/billing/webhooks.ts).
 */
export const PLAN_SOURCES = ["self_serve", "operator"] as const;
export type PlanSource = (typeof PLAN_SOURCES)[number];

/** Our tenant: one customer account. */
export const workspaces = pgTable("workspaces", {
  id: text("id").primaryKey(), // ws_...
  name: text("name").notNull(),
  plan: text("plan", { enum: PLANS }).notNull().default("free"),
  /** Store payload text (inputs, outputs, /sdk/log bodies). Off by default. */
  payloadLogging: boolean("payload_logging").notNull().default(false),
  /** Mask e-mail addresses, phone and card numbers before payloads are stored. */
  redactPayloads: boolean("redact_payloads").notNull().default(true),
  /** The workspace's own usage policy, given to the intent labeller (tos_breach). */
  usagePolicy: text("usage_policy"),
  /**
   * Send the text to the LLM labeller as written. Off by default: e-mail addresses, phone and
   * card numbers and secrets are masked first (the built-in classifier, in-process, reads it raw).
   */
  llmLabelRawText: boolean("llm_label_raw_text").notNull().default(false),
  /** Custom retention in days (enterprise); null → the plan's. */
  retentionDays: integer("retention_days"),
  /** Custom monthly included requests (enterprise, set by the operator); null → the plan's. */
  includedRequests: bigint("included_requests", { mode: "number" }),
  /** Who set the plan (PLAN_SOURCES): an operator's plan is not undone by Stripe webhooks. */
  planSource: text("plan_source", { enum: PLAN_SOURCES }).notNull().default("self_serve"),
  /** Bumped on every change to rules, blocklist or keys: other processes drop their caches. */
  configVersion: bigint("config_version", { mode: "number" }).notNull().default(1),
  /**
   * Bumped when end users gain intent labels or a label policy throttles or requires re-auth:
   * other processes reload only those per-user signals, not the whole configuration.
   */
  labelVersion: bigint("label_version", { mode: "number" }).notNull().default(1),
  /** Stripe (server/services/billing): set by checkout and kept in step by webhooks. */
  stripeCustomerId: text("stripe_customer_id"),
  stripeSubscriptionId: text("stripe_subscription_id"),
  /** trialing | active | past_due | canceled | … as Stripe says; null without a subscription. */
  subscriptionStatus: text("subscription_status"),
  trialEndsAt: timestamp("trial_ends_at", { withTimezone: true }),
  currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }),
  /** A failed payment keeps the paid plan until then; after it, free-plan limits. */
  graceUntil: timestamp("grace_until", { withTimezone: true }),
  /** When the workspace got its one trial (checkout granted it, or a trialing subscription was seen). */
  trialUsedAt: timestamp("trial_used_at", { withTimezone: true }),
  /**
   * When a paid plan last stopped applying because the subscription ended (canceled, unpaid) or an
   * owner set Free by hand: retention keeps the older data for a grace week after it.
   */
  droppedToFreeAt: timestamp("dropped_to_free_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
