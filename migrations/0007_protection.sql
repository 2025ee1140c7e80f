CREATE TABLE "pool_protection" (
	"pool_id" text PRIMARY KEY NOT NULL,
	"hook" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "protected_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"source_member_id" text NOT NULL,
	"user" text NOT NULL,
	"standby_member_id" text NOT NULL,
	"schedule" text NOT NULL,
	"ttl" integer NOT NULL,
	"provider_id" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"managed" boolean DEFAULT false NOT NULL,
	"records" text[] DEFAULT '{A}'::text[] NOT NULL,
	"last_good_copy_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"last_run_id" text,
	"next_run_at" timestamp with time zone NOT NULL,
	"stale_at" timestamp with time zone NOT NULL,
	"stale_notified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "protection_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "protection_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pool_id" text NOT NULL,
	"protected_account_id" text,
	"kind" text NOT NULL,
	"message" text NOT NULL,
	"detail" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"notify_pending" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "replication_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"protected_account_id" text NOT NULL,
	"pool_id" text NOT NULL,
	"user" text NOT NULL,
	"source_member_id" text NOT NULL,
	"standby_member_id" text NOT NULL,
	"status" text NOT NULL,
	"phase" text,
	"trigger" text NOT NULL,
	"requested_by" text NOT NULL,
	"backup_job_id" text,
	"restore_job_id" text,
	"snapshot_id" text,
	"bytes_uploaded" bigint,
	"size_bytes" bigint,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pool_protection" ADD CONSTRAINT "pool_protection_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protected_accounts" ADD CONSTRAINT "protected_accounts_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protected_accounts" ADD CONSTRAINT "protected_accounts_source_member_id_members_id_fk" FOREIGN KEY ("source_member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protected_accounts" ADD CONSTRAINT "protected_accounts_standby_member_id_members_id_fk" FOREIGN KEY ("standby_member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protected_accounts" ADD CONSTRAINT "protected_accounts_provider_id_dns_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."dns_providers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protection_events" ADD CONSTRAINT "protection_events_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "protection_events" ADD CONSTRAINT "protection_events_protected_account_id_protected_accounts_id_fk" FOREIGN KEY ("protected_account_id") REFERENCES "public"."protected_accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replication_runs" ADD CONSTRAINT "replication_runs_protected_account_id_protected_accounts_id_fk" FOREIGN KEY ("protected_account_id") REFERENCES "public"."protected_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "replication_runs" ADD CONSTRAINT "replication_runs_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "protected_accounts_source_user_unique" ON "protected_accounts" USING btree ("source_member_id","user");--> statement-breakpoint
CREATE INDEX "protected_accounts_pool_idx" ON "protected_accounts" USING btree ("pool_id","created_at");--> statement-breakpoint
CREATE INDEX "protected_accounts_next_run_idx" ON "protected_accounts" USING btree ("next_run_at");--> statement-breakpoint
CREATE INDEX "protected_accounts_stale_idx" ON "protected_accounts" USING btree ("stale_at");--> statement-breakpoint
CREATE INDEX "protection_events_pool_idx" ON "protection_events" USING btree ("pool_id","id");--> statement-breakpoint
CREATE INDEX "protection_events_notify_idx" ON "protection_events" USING btree ("id") WHERE "protection_events"."notify_pending";--> statement-breakpoint
CREATE INDEX "replication_runs_account_idx" ON "replication_runs" USING btree ("protected_account_id","created_at");--> statement-breakpoint
CREATE INDEX "replication_runs_pool_idx" ON "replication_runs" USING btree ("pool_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "replication_runs_in_flight_unique" ON "replication_runs" USING btree ("protected_account_id") WHERE "replication_runs"."status" in ('queued', 'running');