CREATE TABLE "erasure_people" (
	"organization_id" integer NOT NULL,
	"person_no" integer NOT NULL,
	"address" text,
	"name" text,
	"pseudonym_address" text NOT NULL,
	"pseudonym_name" text NOT NULL,
	CONSTRAINT "erasure_people_organization_id_person_no_pk" PRIMARY KEY("organization_id","person_no")
);
--> statement-breakpoint
CREATE TABLE "personal_data_erasures" (
	"organization_id" integer PRIMARY KEY NOT NULL,
	"contract_end" text NOT NULL,
	"retention_days" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"counts" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "board_secret" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "board_secret_one_row" CHECK ("board_secret"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "board_sign_in_links" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "board_sign_in_links_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"staff_id" integer NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "lifecycle_notices" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lifecycle_notices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"organization_id" integer NOT NULL,
	"product" text NOT NULL,
	"version" text NOT NULL,
	"milestone" text NOT NULL,
	"due_on" text NOT NULL,
	"recipients" text[] NOT NULL,
	"queued_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sla_daily" (
	"day" date NOT NULL,
	"policy_id" text NOT NULL,
	"severity" text NOT NULL,
	"metric" text NOT NULL,
	"met" integer DEFAULT 0 NOT NULL,
	"total" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "sla_daily_day_policy_id_severity_metric_pk" PRIMARY KEY("day","policy_id","severity","metric")
);
--> statement-breakpoint
CREATE TABLE "sla_decisions" (
	"case_id" integer NOT NULL,
	"metric" text NOT NULL,
	"cycle" integer NOT NULL,
	"policy_id" text NOT NULL,
	"severity" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"on_time" boolean NOT NULL,
	"met_at" timestamp with time zone,
	CONSTRAINT "sla_decisions_case_id_metric_cycle_pk" PRIMARY KEY("case_id","metric","cycle")
);
--> statement-breakpoint
CREATE TABLE "sla_rollup_backfill" (
	"id" integer PRIMARY KEY NOT NULL,
	"after_case_id" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "erasure_people" ADD CONSTRAINT "erasure_people_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_data_erasures" ADD CONSTRAINT "personal_data_erasures_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_sign_in_links" ADD CONSTRAINT "board_sign_in_links_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lifecycle_notices" ADD CONSTRAINT "lifecycle_notices_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_decisions" ADD CONSTRAINT "sla_decisions_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "board_sign_in_links_token_key" ON "board_sign_in_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "board_sign_in_links_staff_idx" ON "board_sign_in_links" USING btree ("staff_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lifecycle_notices_once" ON "lifecycle_notices" USING btree ("organization_id","product","version","milestone","due_on");--> statement-breakpoint
CREATE INDEX "sla_decisions_decided_at_idx" ON "sla_decisions" USING btree ("decided_at");--> statement-breakpoint
CREATE INDEX "sla_decisions_label_idx" ON "sla_decisions" USING btree ("policy_id","severity");--> statement-breakpoint
CREATE INDEX "sla_decisions_unmet_idx" ON "sla_decisions" USING btree ("case_id") WHERE not "sla_decisions"."on_time" and "sla_decisions"."met_at" is null;--> statement-breakpoint
CREATE INDEX "cases_subject_search_idx" ON "cases" USING gin (to_tsvector('english', "subject"));--> statement-breakpoint
CREATE INDEX "messages_text_search_idx" ON "messages" USING gin (to_tsvector('english', coalesce("subject", '') || ' ' || coalesce("text", '')));