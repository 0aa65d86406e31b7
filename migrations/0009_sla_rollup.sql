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
ALTER TABLE "sla_decisions" ADD CONSTRAINT "sla_decisions_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sla_decisions_decided_at_idx" ON "sla_decisions" USING btree ("decided_at");--> statement-breakpoint
CREATE INDEX "sla_decisions_label_idx" ON "sla_decisions" USING btree ("policy_id","severity");--> statement-breakpoint
CREATE INDEX "sla_decisions_unmet_idx" ON "sla_decisions" USING btree ("case_id") WHERE not "sla_decisions"."on_time" and "sla_decisions"."met_at" is null;