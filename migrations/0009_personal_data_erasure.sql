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
ALTER TABLE "erasure_people" ADD CONSTRAINT "erasure_people_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_data_erasures" ADD CONSTRAINT "personal_data_erasures_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;