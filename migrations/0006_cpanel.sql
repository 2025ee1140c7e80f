CREATE TABLE "cpanel_copies" (
	"id" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"user" text NOT NULL,
	"source_member_id" text NOT NULL,
	"target_member_id" text NOT NULL,
	"state" text NOT NULL,
	"backup_job_id" text NOT NULL,
	"restore_job_id" text,
	"snapshot_id" text,
	"error" text,
	"requested_by" text NOT NULL,
	"replace" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cpanel_secrets" (
	"id" text PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"member_id" text NOT NULL,
	"kind" text NOT NULL,
	"value_sealed" text NOT NULL,
	"requested_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cpanel_copies" ADD CONSTRAINT "cpanel_copies_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cpanel_copies" ADD CONSTRAINT "cpanel_copies_source_member_id_members_id_fk" FOREIGN KEY ("source_member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cpanel_copies" ADD CONSTRAINT "cpanel_copies_target_member_id_members_id_fk" FOREIGN KEY ("target_member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cpanel_secrets" ADD CONSTRAINT "cpanel_secrets_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cpanel_secrets" ADD CONSTRAINT "cpanel_secrets_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "cpanel_copies_pool_idx" ON "cpanel_copies" USING btree ("pool_id","created_at");--> statement-breakpoint
CREATE INDEX "cpanel_copies_source_idx" ON "cpanel_copies" USING btree ("source_member_id","created_at");--> statement-breakpoint
CREATE INDEX "cpanel_copies_target_idx" ON "cpanel_copies" USING btree ("target_member_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "cpanel_copies_in_flight_unique" ON "cpanel_copies" USING btree ("source_member_id","target_member_id","user") WHERE "cpanel_copies"."state" in ('backing_up', 'restoring');--> statement-breakpoint
CREATE UNIQUE INDEX "cpanel_secrets_job_unique" ON "cpanel_secrets" USING btree ("job_id");--> statement-breakpoint
CREATE INDEX "cpanel_secrets_expires_idx" ON "cpanel_secrets" USING btree ("expires_at");