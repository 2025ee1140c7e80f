// Helpers for the browser's forms: post/redirect/get, a one-shot flash
// message, and turning a refusal into "message next to the field".
import { HttpError } from './errors'
import { FieldErrors } from './field-errors'

type Ctx = {
  set: { status?: number | string; headers: Record<string, string | number> }
  cookie: Record<string, { value?: unknown; set?: (v: object) => unknown; remove?: () => unknown }>
}

const FLASH = 'sctl_flash'

/** After a successful POST: 303 to the page to show (htmx follows it too). */
export function redirectTo(ctx: Ctx, url: string, flash?: string) {
  if (flash) ctx.cookie[FLASH]?.set?.({ value: flash, path: '/', httpOnly: true, sameSite: 'lax', maxAge: 60 })
  ctx.set.status = 303
  ctx.set.headers['location'] = url
  return ''
}

/** The message a previous POST left for this page, read once. */
export function takeFlash(ctx: Ctx): string | null {
  const value = ctx.cookie[FLASH]?.value
  if (typeof value !== 'string' || !value) return null
  ctx.cookie[FLASH]?.remove?.()
  return value.slice(0, 200)
}

export type Refusal = {
  ok: false
  status: number
  field: string
  message: string
  /** Every refused field with its message (`form` for one not about a field), for the form to show at once. */
  errors: Record<string, string>
}

/**
 * Runs a form action; a refusal becomes {field: message} for each field the
 * form should mark, anything else is thrown on.
 */
export async function formAction<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | Refusal> {
  try {
    return { ok: true, value: await run() }
  } catch (err) {
    if (err instanceof HttpError && err.status < 500 && err.status !== 401 && err.status !== 403) {
      const field = err.field ?? 'form'
      const errors = err instanceof FieldErrors ? err.fields : { [field]: err.message }
      return { ok: false, status: err.status === 409 ? 409 : 422, field, message: err.message, errors }
    }
    throw err
  }
}

export const str = (v: unknown) => (typeof v === 'string' ? v : '')
