ALTER TABLE "organizations" ADD COLUMN "agreement" jsonb;--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "account_contact" text;