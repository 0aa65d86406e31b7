CREATE TABLE "deferred_acknowledgments" (
	"case_id" integer PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"reason" text NOT NULL,
	"deferred_at" timestamp with time zone NOT NULL,
	"combined_key" text,
	"queued_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "installation" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"installation_id" text DEFAULT replace(gen_random_uuid()::text, '-', '') NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "installation_one_row" CHECK ("installation"."id" = 1)
);
--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "reply_key" text;--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "reply_withheld" text;--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "retried_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "inbound_rejections" ADD COLUMN "retry_outcome" text;--> statement-breakpoint
ALTER TABLE "deferred_acknowledgments" ADD CONSTRAINT "deferred_acknowledgments_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deferred_acknowledgments_pending_idx" ON "deferred_acknowledgments" USING btree ("address") WHERE "deferred_acknowledgments"."combined_key" is null;