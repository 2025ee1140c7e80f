// The OpenAPI document, built from the routes' own schemas, and its page.
import { Elysia } from 'elysia'
import type { AnyElysia } from 'elysia'
import { toOpenAPISchema } from '@elysiajs/openapi'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { render } from '../http/render'
import { DocsPage, type OpenApiDoc } from '../../views/docs/DocsPage'
import pkg from '../../package.json'

type Responses = Record<string, { description?: string; content?: Record<string, unknown> }>

/**
 * A 204's t.Void() comes out as a schema where OpenAPI wants media types;
 * an answer with no body has no content at all.
 */
function withoutVoidContent(paths: Record<string, Record<string, { responses?: Responses }>>) {
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) {
      for (const res of Object.values(op.responses ?? {})) {
        const type = res.content?.type
        if (type === 'void' || type === 'undefined') delete res.content
      }
    }
  }
  return paths
}

export function buildOpenApi(app: AnyElysia): OpenApiDoc & Record<string, unknown> {
  const { paths, components } = toOpenAPISchema(app, { staticFile: true })
  const apiPaths = withoutVoidContent(Object.fromEntries(Object.entries(paths).filter(([p]) => p.startsWith('/api/') || p === '/healthz' || p === '/metrics')) as never)
  return {
    openapi: '3.0.3',
    info: { title: 'serversctl API', version: pkg.version },
    components: {
      ...components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
    security: [{ bearer: [] }],
    paths: apiPaths as OpenApiDoc['paths'],
  }
}

export function docsRoutes(deps: Deps, whole: () => AnyElysia) {
  let doc: ReturnType<typeof buildOpenApi> | null = null
  const spec = () => (doc ??= buildOpenApi(whole()))
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/api/v1/openapi.json', () => spec(), {
      access: 'user',
      detail: { tags: ['Docs'], summary: 'This OpenAPI document' },
    })
    .get('/docs', (ctx) => render(ctx, { title: 'API', section: 'docs', main: () => <DocsPage doc={spec()} /> }), {
      access: 'user',
    })
}
