CREATE TABLE "backup_chunks" (
	"pool_id" text NOT NULL,
	"id" text NOT NULL,
	"size" integer NOT NULL,
	"stored" boolean DEFAULT false NOT NULL,
	"touched_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "backup_chunks_pool_id_id_pk" PRIMARY KEY("pool_id","id")
);
--> statement-breakpoint
CREATE TABLE "pool_backups" (
	"pool_id" text PRIMARY KEY NOT NULL,
	"data_key_sealed" text,
	"drill_interval_days" integer DEFAULT 7 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshot_chunks" (
	"snapshot_id" text NOT NULL,
	"pool_id" text NOT NULL,
	"chunk_id" text NOT NULL,
	CONSTRAINT "snapshot_chunks_snapshot_id_chunk_id_pk" PRIMARY KEY("snapshot_id","chunk_id")
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"member_id" text,
	"member_name" text NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"stored_bytes" bigint NOT NULL,
	"uploaded_bytes" bigint DEFAULT 0 NOT NULL,
	"chunk_count" integer NOT NULL,
	"sha256" text NOT NULL,
	"chunk_ids" jsonb NOT NULL,
	"tables" jsonb,
	"job_id" text,
	"schedule_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"verified_at" timestamp with time zone,
	"verify_failed_at" timestamp with time zone,
	"verify_problem" text,
	"proven_at" timestamp with time zone,
	"drill_failed_at" timestamp with time zone,
	"drill_problem" text,
	"drill_notified_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "job_schedules" ADD COLUMN "keep_daily" integer;--> statement-breakpoint
ALTER TABLE "job_schedules" ADD COLUMN "keep_weekly" integer;--> statement-breakpoint
ALTER TABLE "job_schedules" ADD COLUMN "keep_monthly" integer;--> statement-breakpoint
ALTER TABLE "backup_chunks" ADD CONSTRAINT "backup_chunks_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_backups" ADD CONSTRAINT "pool_backups_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshot_chunks" ADD CONSTRAINT "snapshot_chunks_snapshot_id_snapshots_id_fk" FOREIGN KEY ("snapshot_id") REFERENCES "public"."snapshots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshot_chunks" ADD CONSTRAINT "snapshot_chunks_chunk_fk" FOREIGN KEY ("pool_id","chunk_id") REFERENCES "public"."backup_chunks"("pool_id","id") ON DELETE no action ON UPDATE no action DEFERRABLE INITIALLY DEFERRED;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backup_chunks_touched_idx" ON "backup_chunks" USING btree ("touched_at");--> statement-breakpoint
CREATE INDEX "snapshot_chunks_chunk_idx" ON "snapshot_chunks" USING btree ("pool_id","chunk_id");--> statement-breakpoint
CREATE INDEX "snapshots_member_idx" ON "snapshots" USING btree ("member_id","created_at");--> statement-breakpoint
CREATE INDEX "snapshots_pool_idx" ON "snapshots" USING btree ("pool_id","created_at");--> statement-breakpoint
CREATE INDEX "snapshots_schedule_idx" ON "snapshots" USING btree ("schedule_id","created_at");