// The storage page under the account menu, and /api/v1/storage.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, expectedCsrf } from '../http/access'
import { render, htmxTarget } from '../http/render'
import { ErrorSchema } from '../http/api-schemas'
import type { Principal } from '../auth/service'
import { StoragePage, type StorageStats } from '../../views/storage/StoragePage'
import { StorageTest } from '../../views/storage/StorageTest'
import { describeError, storageInfo, testStore, type TestResult } from './service'

type Ctx = Parameters<typeof render>[0] & { principal: Principal | null }

async function statsOf(deps: Deps): Promise<StorageStats> {
  try {
    return await deps.storage.stats()
  } catch (err) {
    return { error: describeError(err) }
  }
}

async function renderStorage(deps: Deps, ctx: Ctx, result: TestResult | null) {
  const stats = await statsOf(deps)
  return render(ctx, {
    title: 'Storage',
    section: 'account',
    main: () => (
      <StoragePage info={storageInfo(deps.config)} stats={stats} csrf={expectedCsrf(ctx)} isAdmin={ctx.principal?.user.role === 'admin'} result={result} />
    ),
  })
}

async function runTest(deps: Deps, ctx: Ctx) {
  const result = await testStore(deps.storage)
  if (!result.ok) deps.log.warn('storage.test', result.steps.filter((s) => s.outcome === 'failed').map((s) => `${s.step}: ${s.detail}`).join('; '))
  // htmx swaps only the result; without JavaScript the whole page comes back with it.
  if (htmxTarget(ctx.request) === 'storage-test') {
    ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
    return <StorageTest result={result} />
  }
  return renderStorage(deps, ctx, result)
}

const StepSchema = t.Object({
  step: t.Union([t.Literal('write'), t.Literal('read'), t.Literal('compare'), t.Literal('delete')]),
  outcome: t.Union([t.Literal('ok'), t.Literal('failed'), t.Literal('skipped')]),
  ms: t.Integer({ description: 'How long the step took' }),
  detail: t.String({ description: "What happened, in the store's own words when it failed" }),
})

const TestSchema = t.Object({ ok: t.Boolean(), steps: t.Array(StepSchema) })

const StorageSchema = t.Object({
  backend: t.Union([t.Literal('folder'), t.Literal('s3')]),
  path: t.Optional(t.String({ description: 'The folder holding the objects (folder backend)' })),
  endpoint: t.Optional(t.Nullable(t.String())),
  bucket: t.Optional(t.String()),
  region: t.Optional(t.String()),
  accessKeyId: t.Optional(t.Nullable(t.String({ description: 'Its last four characters only' }))),
  forcePathStyle: t.Optional(t.Boolean()),
  objects: t.Nullable(t.Integer()),
  bytes: t.Nullable(t.Integer()),
  error: t.Nullable(t.String({ description: 'Why the objects could not be counted' })),
})

const detail = (summary: string) => ({ detail: { tags: ['Storage'], summary } })

export function storageRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/account/storage', (ctx) => renderStorage(deps, ctx, null), { access: 'user' })
    .post('/account/storage/test', (ctx) => runTest(deps, ctx), { access: 'admin', body: t.Record(t.String(), t.String(), { maxProperties: 10 }) })
    .get(
      '/api/v1/storage',
      async () => {
        const stats = await statsOf(deps)
        const counts = 'error' in stats ? { objects: null, bytes: null, error: stats.error } : { ...stats, error: null }
        return { ...storageInfo(deps.config), ...counts }
      },
      { access: 'user', response: { 200: StorageSchema, 401: ErrorSchema }, ...detail('Where objects are stored, and how many') },
    )
    .post('/api/v1/storage/test', () => testStore(deps.storage), {
      access: 'admin',
      response: { 200: TestSchema, 401: ErrorSchema, 403: ErrorSchema },
      ...detail('Write, read back, compare and delete a test object (admins)'),
    })
}
