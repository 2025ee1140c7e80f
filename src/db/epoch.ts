// Timestamps through JSON: lists read as one JSON value (PGlite charges per
// field of every row) carry them as epoch milliseconds, which is exactly the
// Date a row would have given (both drop the microseconds).
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm'

export const epochMs = (at: SQLWrapper | SQL): SQL => sql`floor(extract(epoch from ${at}) * 1000)`

export const fromEpochMs = (ms: number | null): Date | null => (ms === null ? null : new Date(ms))
