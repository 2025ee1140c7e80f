// How many rows a statement run through db.execute changed: PGlite and
// postgres.js name it differently.
export const affectedRows = (result: unknown): number =>
  Number((result as { affectedRows?: number }).affectedRows ?? (result as { count?: number }).count ?? 0)
