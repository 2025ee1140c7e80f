// One error type for every refusal, so the API answers {"error": {code, message}}
// and pages show the same message.
export class HttpError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    /** The form field the message belongs to, when there is one. */
    public field?: string,
  ) {
    super(message)
  }
}

export const badInput = (message: string, field?: string) => new HttpError(422, 'invalid_input', message, field)
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`)
export const conflict = (message: string, field?: string) => new HttpError(409, 'conflict', message, field)
export const unauthorized = (message = 'Sign in or send a valid API token') => new HttpError(401, 'unauthorized', message)
export const forbidden = (message = 'You are not allowed to do that') => new HttpError(403, 'forbidden', message)

/** The danger-zone check: the name typed must be the thing's own. */
export function checkConfirmName(typed: unknown, expected: string, what: string) {
  if (typeof typed !== 'string' || typed.trim() !== expected) {
    throw badInput(`Type the ${what}'s name, ${expected}, to confirm`, 'confirmName')
  }
}

/** `fields`: every refused field of a form or body, each with its own message. */
export function errorBody(code: string, message: string, fields?: Record<string, string>) {
  return { error: fields ? { code, message, fields } : { code, message } }
}
