CREATE TABLE "deferred_acknowledgments" (
	"case_id" integer PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"reason" text NOT NULL,
	"deferred_at" timestamp with time zone NOT NULL,
	"combined_key" text,
	"queued_at" timestamp with time zone
);
--> statement-breakpoint
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
CREATE TABLE "installation" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"installation_id" text DEFAULT replace(gen_random_uuid()::text, '-', '') NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_one_row" CHECK ("installation"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "named_contact" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "engineer_id" integer;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "agreement" jsonb;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "account_contact" text;--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "reply_key" text;--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "reply_withheld" text;--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "retried_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "retry_outcome" text;--> statement-breakpoint
ALTER TABLE "deferred_acknowledgments" ADD CONSTRAINT "deferred_acknowledgments_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "past_breaches" ADD CONSTRAINT "past_breaches_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deferred_acknowledgments_pending_idx" ON "deferred_acknowledgments" USING btree ("address") WHERE "deferred_acknowledgments"."combined_key" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "past_breaches_case_key" ON "past_breaches" USING btree ("case_id","reminder_key");--> statement-breakpoint
CREATE INDEX "past_breaches_unreported_idx" ON "past_breaches" USING btree ("mailbox") WHERE "past_breaches"."reported_at" is null;--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_engineer_id_staff_id_fk" FOREIGN KEY ("engineer_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contacts_named_contact_key" ON "contacts" USING btree ("organization_id") WHERE "contacts"."named_contact";