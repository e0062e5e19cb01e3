ALTER TABLE "rules" ADD COLUMN "filters" jsonb;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "feature" text;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "tier" text;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "org_id" text;--> statement-breakpoint
ALTER TABLE "reservations" ADD COLUMN "request_type" text;--> statement-breakpoint
ALTER TABLE "end_user_labels" ADD COLUMN "stage" text DEFAULT 'record' NOT NULL;--> statement-breakpoint
ALTER TABLE "label_policies" ADD COLUMN "stage" text DEFAULT 'record' NOT NULL;