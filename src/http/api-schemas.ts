import { t } from 'elysia'

/**
 * A string PostgreSQL can store: no NUL (text and jsonb refuse it) and no half
 * of a surrogate pair (jsonb refuses it). Request strings are Text, not
 * t.String; src/http/input-guard.ts refuses the same before any schema runs.
 */
export const STORABLE_TEXT = '^(?:[^\\u0000\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$'
export const Text = (options: Parameters<typeof t.String>[0] = {}) => t.String({ pattern: STORABLE_TEXT, ...options })

export const ErrorSchema = t.Object({
  error: t.Object({
    code: t.String(),
    message: t.String(),
    fields: t.Optional(t.Record(t.String(), t.String(), { description: 'Every refused field with its own message, when the refusal is about fields' })),
  }),
})

/** A 204 answer: the handler sets the status and returns nothing. */
export const NoContent = t.Void({ description: 'Done; no body' })

export const DateTime = t.String({ format: 'date-time' })
export const NullableDateTime = t.Nullable(DateTime)
