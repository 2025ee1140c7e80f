-- Which inventory a member's row holds (schema.ts, members.inventory_fingerprint):
-- heartbeats that repeat it send only their stats.
ALTER TABLE "members" ADD COLUMN "inventory_fingerprint" text;