-- Enterprise on SaaS billing (issue 22): an operator can put a workspace on a plan by hand (`npm run admin -- plan`),
-- with a custom monthly request volume (workspaces.included_requests) next to the custom retention already there;
-- workspaces.plan_source says who set the plan ('self_serve': Stripe or an owner; 'operator': Stripe webhooks leave it
-- alone). sales_leads keeps the landing page's Enterprise contact-form enquiries (e-mailed to TOKENIST_SALES_EMAIL).
CREATE TABLE "sales_leads" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"company" text NOT NULL,
	"monthly_requests" bigint NOT NULL,
	"message" text DEFAULT '' NOT NULL,
	"emailed_at" timestamp with time zone,
	"email_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "included_requests" bigint;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "plan_source" text DEFAULT 'self_serve' NOT NULL;--> statement-breakpoint
CREATE INDEX "sales_leads_created_at_idx" ON "sales_leads" USING btree ("created_at");