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

/** A refused form as the page shows it again: which form (and which row's), what was typed, each message by its field. */
export type FormEcho<F extends string, V = Record<string, string>> = { form: F; key: string; action?: string; values: V; errors: Record<string, string> }

const BAD_PARAM = /^Bad parameters for [\w.]+: params\.(\w+): (.+)$/

/**
 * A refusal's messages by the form's own `fields` (`alias` renames a
 * service's field to the form's); anything else is the form's. The job queue
 * names a bad parameter in its message ("Bad parameters for restore.database:
 * params.database: a database name: ..."): that one goes to the field of the
 * same name, said without the prefix.
 */
export function echoOf<F extends string, V>(
  form: F,
  key: string,
  values: V,
  result: Pick<Refusal, 'errors'>,
  fields: string[],
  opts: { action?: string; alias?: Record<string, string> } = {},
): FormEcho<F, V> {
  const errors: Record<string, string> = {}
  const fieldOf = (f: string) => opts.alias?.[f] ?? f
  for (const [field, message] of Object.entries(result.errors)) {
    const param = field === 'params' ? BAD_PARAM.exec(message) : null
    if (param && fields.includes(fieldOf(param[1]!))) {
      errors[fieldOf(param[1]!)] ??= `Expected ${param[2]!.replace(/\.?$/, '.')}`
      continue
    }
    errors[fields.includes(fieldOf(field)) ? fieldOf(field) : 'form'] ??= message
  }
  return { form, key, ...(opts.action !== undefined ? { action: opts.action } : {}), values, errors }
}
