CREATE TABLE "past_breaches" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "past_breaches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"case_id" integer NOT NULL,
	"mailbox" text NOT NULL,
	"reminder_key" text NOT NULL,
	"metric" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"notify" text[] NOT NULL,
	"found_at" timestamp with time zone NOT NULL,
	"reported_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "past_breaches" ADD CONSTRAINT "past_breaches_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "past_breaches_case_key" ON "past_breaches" USING btree ("case_id","reminder_key");--> statement-breakpoint
CREATE INDEX "past_breaches_unreported_idx" ON "past_breaches" USING btree ("mailbox") WHERE "past_breaches"."reported_at" is null;