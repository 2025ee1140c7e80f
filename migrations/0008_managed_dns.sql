CREATE TABLE "managed_dns_status" (
	"protected_account_id" text PRIMARY KEY NOT NULL,
	"pool_id" text NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"drift" integer NOT NULL,
	"diffs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"last_sync_at" timestamp with time zone,
	"last_written" jsonb
);
--> statement-breakpoint
ALTER TABLE "managed_dns_status" ADD CONSTRAINT "managed_dns_status_protected_account_id_protected_accounts_id_fk" FOREIGN KEY ("protected_account_id") REFERENCES "public"."protected_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "managed_dns_status" ADD CONSTRAINT "managed_dns_status_pool_id_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."pools"("id") ON DELETE cascade ON UPDATE no action;