// What a statement run through db.execute answers: PGlite and postgres.js
// shape it differently.

/** PGlite answers { rows }, postgres.js an array: one shape for both. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[]
}

/** How many rows the statement changed. */
export const affectedRows = (result: unknown): number =>
  Number((result as { affectedRows?: number }).affectedRows ?? (result as { count?: number }).count ?? 0)
