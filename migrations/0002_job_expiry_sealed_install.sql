ALTER TABLE "enrollment_secrets" ADD COLUMN "secret_sealed" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "expires_at" timestamp with time zone;