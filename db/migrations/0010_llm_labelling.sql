CREATE TABLE "llm_labelling_usage" (
	"workspace_id" text NOT NULL,
	"day" date NOT NULL,
	"model" text NOT NULL,
	"calls" integer DEFAULT 0 NOT NULL,
	"prompt_tokens" bigint DEFAULT 0 NOT NULL,
	"completion_tokens" bigint DEFAULT 0 NOT NULL,
	"cost_nanos" bigint DEFAULT 0 NOT NULL,
	"unpriced_calls" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "llm_labelling_usage_pkey" PRIMARY KEY("workspace_id","day","model")
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "llm_label_raw_text" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "llm_labelling_usage" ADD CONSTRAINT "llm_labelling_usage_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;