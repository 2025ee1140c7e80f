ALTER TABLE "failover_configs" ADD COLUMN "hostname_records" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "failover_configs" ADD COLUMN "cloudflare_enterprise" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "public_ipv6" text;