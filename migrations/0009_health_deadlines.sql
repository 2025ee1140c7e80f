ALTER TABLE "members" ADD COLUMN "late_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "down_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "members_late_at_idx" ON "members" USING btree ("late_at");--> statement-breakpoint
-- The one health rule (src/members/status.ts), kept in the database so that
-- every writer of a heartbeat (the batched heartbeat path, tests, benches)
-- gets the same deadlines: healthy for one and a half of the member's own
-- heartbeat intervals (10 s when it has not said), down after its pool's
-- failover delay (30 s when the pool has no failover settings); never
-- healthy once down, so a delay shorter than the slack wins.
CREATE FUNCTION serversctl_member_deadlines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.last_heartbeat_at IS NULL THEN
    NEW.late_at := NULL;
    NEW.down_at := NULL;
  ELSE
    NEW.down_at := NEW.last_heartbeat_at + make_interval(secs => coalesce((SELECT delay_seconds FROM failover_configs WHERE pool_id = NEW.pool_id), 30));
    NEW.late_at := least(NEW.down_at, NEW.last_heartbeat_at + make_interval(secs => 1.5 * coalesce((NEW.summary ->> 'interval')::float8, 10)));
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER members_deadlines BEFORE INSERT OR UPDATE OF last_heartbeat_at, summary ON members
  FOR EACH ROW EXECUTE FUNCTION serversctl_member_deadlines();--> statement-breakpoint
-- A pool's new failover delay moves its members' deadlines at once: writing
-- last_heartbeat_at (unchanged) has the trigger above work them out again.
CREATE FUNCTION serversctl_pool_delay_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE members SET last_heartbeat_at = last_heartbeat_at WHERE pool_id = NEW.pool_id AND last_heartbeat_at IS NOT NULL;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER failover_delay_changed AFTER UPDATE OF delay_seconds ON failover_configs
  FOR EACH ROW WHEN (OLD.delay_seconds IS DISTINCT FROM NEW.delay_seconds) EXECUTE FUNCTION serversctl_pool_delay_changed();--> statement-breakpoint
CREATE TRIGGER failover_delay_set AFTER INSERT ON failover_configs
  FOR EACH ROW WHEN (NEW.delay_seconds <> 30) EXECUTE FUNCTION serversctl_pool_delay_changed();--> statement-breakpoint
UPDATE members SET last_heartbeat_at = last_heartbeat_at WHERE last_heartbeat_at IS NOT NULL;
--> statement-breakpoint
-- Servers cache agent tokens (agent-api/token-cache.ts); a token replaced
-- by a new enrolment or gone with its member (removed, or its pool deleted)
-- is said on this channel, and every replica drops what it remembered.
CREATE FUNCTION serversctl_agent_token_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('serversctl_agent_tokens', '');
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER members_token_gone AFTER UPDATE OF token_hash OR DELETE ON members
  FOR EACH ROW WHEN (OLD.token_hash IS NOT NULL) EXECUTE FUNCTION serversctl_agent_token_gone();
