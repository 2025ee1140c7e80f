// The OpenAPI document, built from the routes' own schemas, and its page.
import { Elysia } from 'elysia'
import type { AnyElysia } from 'elysia'
import { toOpenAPISchema } from '@elysiajs/openapi'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { render } from '../http/render'
import { DocsPage, type OpenApiDoc } from '../../views/docs/DocsPage'
import pkg from '../../package.json'

export function buildOpenApi(app: AnyElysia): OpenApiDoc & Record<string, unknown> {
  const { paths, components } = toOpenAPISchema(app, { staticFile: true })
  const apiPaths = Object.fromEntries(Object.entries(paths).filter(([p]) => p.startsWith('/api/') || p === '/healthz'))
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
