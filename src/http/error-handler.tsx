// Turns every refusal into the shape its caller reads: {"error": {code,
// message}} for the API, a page (or a redirect to sign in) for the browser.
import type { Principal } from '../auth/service'
import type { Log } from '../server/log'
import { ErrorPage } from '../../views/layout/ErrorPage'
import { errorBody, HttpError } from './errors'
import { FieldErrors } from './field-errors'
import { render } from './render'

type ErrorCtx = {
  request: Request
  code: string | number
  error: unknown
  set: { status?: number | string; headers: Record<string, string | number> }
  cookie: Record<string, { value?: unknown }>
  principal?: Principal | null
}

const isApi = (request: Request) => new URL(request.url).pathname.startsWith('/api/')

/** A short, readable sentence from Elysia's validation error. */
function validationMessage(error: unknown): string {
  const e = error as { all?: { path?: string; summary?: string; message?: string }[]; message?: string }
  const first = e.all?.[0]
  if (first) {
    const field = (first.path ?? '').replace(/^\//, '').replace(/\//g, '.')
    const text = first.summary ?? first.message ?? 'is not valid'
    return field ? `${field}: ${text}` : text
  }
  return 'The request is not valid'
}

function classify(code: string | number, error: unknown): HttpError | null {
  if (error instanceof HttpError) return error
  switch (code) {
    case 'VALIDATION':
      return new HttpError(422, 'invalid_input', validationMessage(error))
    case 'PARSE':
      return new HttpError(400, 'bad_request', 'The request body could not be parsed')
    case 'NOT_FOUND':
      return new HttpError(404, 'not_found', 'No such page or endpoint')
    case 'INVALID_COOKIE_SIGNATURE':
      return new HttpError(400, 'bad_request', 'A cookie is not valid')
  }
  const status = (error as { status?: unknown })?.status
  if (typeof status === 'number' && status === 413) return new HttpError(413, 'too_large', 'The request body is too large')
  return null
}

export function handleError(log: Log) {
  return async (ctx: ErrorCtx) => {
    const known = classify(ctx.code, ctx.error)
    if (!known) log.error('http.error', `${ctx.request.method} ${new URL(ctx.request.url).pathname}`, ctx.error)
    const err = known ?? new HttpError(500, 'internal', 'Something went wrong on the server')
    if (isApi(ctx.request) || ctx.request.headers.get('accept') === 'application/json') {
      ctx.set.status = err.status
      return Response.json(errorBody(err.code, err.message, err instanceof FieldErrors ? err.fields : undefined), {
        status: err.status,
        headers: err.status === 401 ? { 'www-authenticate': 'Bearer' } : undefined,
      })
    }
    if (err.status === 401) {
      const url = new URL(ctx.request.url)
      const next = encodeURIComponent(url.pathname + url.search)
      const to = `/login?next=${next}`
      // htmx would swap the login page into a fragment; send the whole window there.
      if (ctx.request.headers.get('hx-request') === 'true') return new Response('', { status: 200, headers: { 'hx-redirect': to } })
      return new Response('', { status: 303, headers: { location: to } })
    }
    const html = await render(
      { request: ctx.request, principal: ctx.principal ?? null, cookie: ctx.cookie ?? {}, set: ctx.set },
      { title: err.status === 404 ? 'Not found' : 'Error', section: 'none', status: err.status, main: () => <ErrorPage status={err.status} message={err.message} /> },
    )
    return new Response(html, { status: err.status, headers: { 'content-type': 'text/html; charset=utf-8' } })
  }
}
