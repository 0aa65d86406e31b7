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
ALTER TABLE "board_sign_in_links" ADD CONSTRAINT "board_sign_in_links_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "board_sign_in_links_token_key" ON "board_sign_in_links" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "board_sign_in_links_staff_idx" ON "board_sign_in_links" USING btree ("staff_id");