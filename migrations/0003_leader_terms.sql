CREATE TABLE "leader_terms" (
	"term" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "leader_terms_term_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"holder" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "failover_events" ADD COLUMN "claim_term" integer;--> statement-breakpoint
ALTER TABLE "failover_events" ADD COLUMN "dns_write_term" integer;