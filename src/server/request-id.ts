// One id per HTTP request, carried through everything the request awaits, so
// a log line written deep in a service names the request that caused it and
// an operator can match it with the x-request-id their proxy or client saw.
import { AsyncLocalStorage } from 'node:async_hooks'

export type RequestContext = {
  id: string
  startedAt: number
  /** The status the error handler answered with, which Elysia's `set` does not always carry. */
  status?: number
}

const current = new AsyncLocalStorage<RequestContext>()

// Taken from a proxy or client as is only when it cannot break a log line or a header.
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/

export function requestIdFrom(header: string | null): string {
  return header && SAFE_ID.test(header) ? header : crypto.randomUUID()
}

/**
 * Starts the request's context. Called from the app's first onRequest hook:
 * Elysia runs the rest of the request (hooks, handler, error handler) as
 * continuations of that call, so they all see it.
 */
export function beginRequest(request: Request): RequestContext {
  const ctx: RequestContext = { id: requestIdFrom(request.headers.get('x-request-id')), startedAt: performance.now() }
  current.enterWith(ctx)
  return ctx
}

export function currentRequest(): RequestContext | undefined {
  return current.getStore()
}
