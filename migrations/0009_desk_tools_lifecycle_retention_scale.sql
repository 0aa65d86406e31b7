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
ALTER TABLE "erasure_people" ADD CONSTRAINT "erasure_people_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_data_erasures" ADD CONSTRAINT "personal_data_erasures_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "board_sign_in_links" ADD CONSTRAINT "board_sign_in_links_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lifecycle_notices" ADD CONSTRAINT "lifecycle_notices_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "board_sign_in_links_token_key" ON "board_sign_in_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "board_sign_in_links_staff_idx" ON "board_sign_in_links" USING btree ("staff_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lifecycle_notices_once" ON "lifecycle_notices" USING btree ("organization_id","product","version","milestone","due_on");--> statement-breakpoint
CREATE INDEX "cases_subject_search_idx" ON "cases" USING gin (to_tsvector('english', "subject"));--> statement-breakpoint
CREATE INDEX "messages_text_search_idx" ON "messages" USING gin (to_tsvector('english', coalesce("subject", '') || ' ' || coalesce("text", '')));