CREATE TABLE "suppressed_addresses" (
	"address" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"complaint_message_id" text,
	"at" timestamp with time zone NOT NULL
);
