CREATE TABLE "email_verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "email_verifications_token_hash_key" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "session_version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "email_verifications" ADD CONSTRAINT "email_verifications_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "email_verifications_member_id_idx" ON "email_verifications" USING btree ("member_id");--> statement-breakpoint
-- OAuth accounts are not stored: a member without a password hash was created by a provider-verified OAuth
-- sign-in (or named by the operator in TOKENIST_INIT_EMAIL), so counts as verified. Password members stay unverified.
UPDATE "members" SET "email_verified_at" = "created_at" WHERE "password_hash" IS NULL;
