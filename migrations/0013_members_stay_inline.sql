-- A member's row is about 2 kB once its inventory is stored, just over the
-- 2 kB past which PostgreSQL tries to compress a row's values on every
-- write. Each heartbeat rewrites the row, and the jsonb inventory rarely
-- shrinks by the quarter pglz asks for, so every heartbeat paid for a
-- compression that was thrown away (62 against 38 µs of database time a
-- heartbeat). Rows stay whole up to a page; bigger ones (a cPanel host with
-- thousands of accounts) are still compressed and moved out of line.
ALTER TABLE "members" SET (toast_tuple_target = 8160);
