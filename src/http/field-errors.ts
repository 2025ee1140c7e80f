// A form with several bad fields says so once, next to each field, instead of
// one refusal per submit.
import { HttpError } from './errors'

/** Every bad field of one request; `message` and `field` name the first, for readers of one. */
export class FieldErrors extends HttpError {
  constructor(public fields: Record<string, string>) {
    const [field, message] = Object.entries(fields)[0]!
    super(422, 'invalid_input', message, field)
  }
}

/** The refusals an error carries by field, or null when it is not about fields. */
export function refusalsOf(err: unknown): Record<string, string> | null {
  if (err instanceof FieldErrors) return err.fields
  if (err instanceof HttpError && err.status === 422 && err.field) return { [err.field]: err.message }
  return null
}

/**
 * Runs each field's check and keeps its refusal instead of stopping there;
 * `done()` throws them all together. A value whose check was refused is
 * undefined, so read the values only after `done()`.
 */
export function fieldChecks() {
  const errors: Record<string, string> = {}
  const keep = (err: unknown) => {
    const refusals = refusalsOf(err)
    if (!refusals) throw err
    // The first reason a field was refused is the one to fix first.
    for (const [field, message] of Object.entries(refusals)) errors[field] ??= message
    return undefined as never
  }
  return {
    /** The refusals so far, for a form that shows them without throwing. */
    errors: errors as Readonly<Record<string, string>>,
    check<T>(fn: () => T): T {
      try {
        return fn()
      } catch (err) {
        return keep(err)
      }
    },
    /** Whether `field` was refused already, so a check that builds on it can wait. */
    refused: (field: string) => field in errors,
    /** A refusal found by the caller itself. */
    refuse(field: string, message: string) {
      errors[field] ??= message
    },
    done() {
      if (Object.keys(errors).length) throw new FieldErrors(errors)
    },
  }
}
