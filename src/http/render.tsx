// One URL, two renderings: the whole page for a normal request, only the
// fragment an htmx request targets. The fragment answer for `#main` is the
// page body; views may name finer targets (a pool's tab panel, ...).
import { Fragment, Layout, type Chrome, type Section } from '../../views/layout/Layout'
import type { Principal } from '../auth/service'
import { expectedCsrf } from './access'
import { takeFlash } from './forms'
import { Notice } from '../../views/components/ui'

export type View = {
  title: string
  section: Section
  /** The page body inside #main. */
  main: () => JSX.Element
  /** Finer fragments by the id of the element an htmx request targets. */
  parts?: Record<string, () => JSX.Element>
  status?: number
}

type RenderCtx = {
  request: Request
  principal: Principal | null
  cookie: Record<string, { value?: unknown; set?: (v: object) => unknown; remove?: () => unknown }>
  set: { status?: number | string; headers: Record<string, string | number> }
}

/** The id of the element htmx will swap, from `HX-Target: tag#id`. */
export function htmxTarget(request: Request): string | null {
  if (request.headers.get('hx-request') !== 'true') return null
  const target = request.headers.get('hx-target') ?? ''
  const hash = target.lastIndexOf('#')
  return hash >= 0 ? target.slice(hash + 1) : null
}

export function chromeFor(ctx: Pick<RenderCtx, 'principal' | 'cookie'>, title: string, section: Section): Chrome {
  return {
    title,
    section,
    user: ctx.principal ? { email: ctx.principal.user.email, role: ctx.principal.user.role } : null,
    csrf: expectedCsrf({ principal: ctx.principal, cookie: ctx.cookie }),
  }
}

export async function render(ctx: RenderCtx, view: View): Promise<string> {
  ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
  // The same URL answers differently to htmx; caches must keep them apart.
  ctx.set.headers['vary'] = 'HX-Request, HX-Target'
  if (view.status) ctx.set.status = view.status
  const chrome = chromeFor(ctx, view.title, view.section)
  const target = htmxTarget(ctx.request)
  const part = target ? view.parts?.[target] : undefined
  if (part) return <Fragment chrome={chrome} withHeader={false}>{part()}</Fragment>
  const flash = takeFlash(ctx)
  const body = (
    <>
      {flash ? (
        <Notice kind="ok">
          <span safe>{flash}</span>
        </Notice>
      ) : (
        ''
      )}
      {view.main()}
    </>
  )
  if (target === 'main') return <Fragment chrome={chrome} withHeader={true}>{body}</Fragment>
  return <Layout chrome={chrome}>{body}</Layout>
}
