// Pool pages: the list, "Create pool", each tab, rename and delete.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { render } from '../http/render'
import { formAction, redirectTo, str } from '../http/forms'
import { PoolsPage } from '../../views/pools/PoolsPage'
import { NewPoolPage, type NewPoolForm } from '../../views/pools/NewPoolPage'
import { MemberTabs, PoolPage, PoolPanelSwap, poolTitle, type PoolView } from '../../views/pools/PoolPage'
import type { SettingsForm } from '../../views/pools/tabs/SettingsTab'
import * as pools from './service'
import { rowCards } from '../members/cards'
import { failoverSection } from '../failover/view'
import { failoverConfigOf } from '../failover/config'
import type { Member } from '../members/store'
import { poolAlertSection } from '../alerts/view'
import { MemberPanelSwap } from '../../views/members/MemberWorkspace'
import { MemberActivity } from '../../views/members/tabs/parts'
import { MemberTiles, TilesMore } from '../../views/members/MemberTile'
import { FleetKpis } from '../../views/pools/tabs/OverviewTab'
import { FleetMap } from '../../views/pools/tabs/FleetMap'
import { MapCellList } from '../../views/pools/tabs/MapCellList'
import { Card } from '../../views/components/ui'
import { NavLink } from '../../views/layout/Layout'
import { fleetCards } from '../members/cards'
import { HttpError } from '../http/errors'
import { mapCellPage, parsePage } from './map-cell'
import type { PoolTabKey } from './tabs'
import { poolJobFigures, type PoolJobFigures } from '../jobs/service'
import { poolBackupSummary, type PoolBackupSummary } from '../backups/service'
import { poolProtectionNote } from '../protection/tab-data'

const formBody = t.Record(t.String(), t.String(), { maxProperties: 20 })

type PageCtx = Parameters<typeof render>[0]

/** The Overview poll's fingerprint: the members' state and the job figures Fleet status shows. */
const tilesTag = (membersTag: string, jobs?: PoolJobFigures, backups?: PoolBackupSummary) =>
  [membersTag, ...(jobs ? [jobs.schedules, jobs.backupSchedules, jobs.running, jobs.queued] : []), ...(backups ? [backups.snapshots, backups.storedBytes, backups.lastBackupAt?.getTime() ?? 0] : [])].join('.')

/**
 * Everything a pool page needs; member pages (tab null) pass the member on
 * screen, which the member row always shows, and add their workspace.
 */
export async function poolView(deps: Deps, ctx: PageCtx, id: string, tab: PoolTabKey | null, current?: Member, tilePage = 1): Promise<PoolView> {
  const [config, data] = await Promise.all([failoverConfigOf(deps.db, id), pools.poolPage(deps.db, id, tab, { tilePage })])
  const members = current && !data.members.some((m) => m.id === current.id) ? [...data.members, current] : data.members
  const [failover, alerts, jobFigures, backupFigures, protection] = await Promise.all([
    failoverSection(deps, data.pool, config, tab === 'settings' || tab === 'dns'),
    tab === 'monitoring' ? poolAlertSection(deps.db, id) : undefined,
    tab === 'overview' ? poolJobFigures(deps.db, id) : undefined,
    tab === 'overview' ? poolBackupSummary(deps.db, id) : undefined,
    tab === 'overview' ? poolProtectionNote(deps.db, id) : undefined,
  ])
  // Only the Overview has tiles, and with them notes and a fingerprint to poll by.
  const { fleet } = data
  const cards = fleet ? fleet.row : rowCards(members)
  const tiles = { notes: fleet?.notes ?? {}, ptag: fleet ? tilesTag(fleet.ptag, jobFigures, backupFigures) : '' }
  return { ...data, cards, ...tiles, failover, alerts, jobFigures, backupFigures, protection, csrf: expectedCsrf(ctx) }
}

export function renderPoolView(ctx: PageCtx, view: PoolView, status?: number) {
  return render(ctx, {
    title: poolTitle(view),
    section: 'pools',
    status,
    main: () => <PoolPage view={view} />,
    parts: {
      'pool-panel': () => <PoolPanelSwap view={view} />,
      ...(view.member ? { 'member-panel': () => <MemberPanelSwap view={view.member!} />, 'member-activity-card': () => <MemberActivity view={view.member!} /> } : {}),
    },
  })
}

async function renderPool(deps: Deps, ctx: PageCtx, id: string, tab: PoolTabKey, settings?: SettingsForm, status?: number) {
  const view = await poolView(deps, ctx, id, tab)
  return renderPoolView(ctx, { ...view, settings }, status)
}

function renderNewPool(ctx: PageCtx, form: NewPoolForm, status?: number) {
  return render(ctx, {
    title: 'Create pool',
    section: 'pools',
    status,
    main: () => <NewPoolPage form={form} csrf={expectedCsrf(ctx)} />,
  })
}

// Protection and Managed DNS have their own handlers (src/protection/tab-routes.tsx, src/managed-dns/routes.tsx).
const TAB_PATHS: [string, PoolTabKey][] = [
  ['/pools/:poolId', 'overview'],
  ['/pools/:poolId/monitoring', 'monitoring'],
  ['/pools/:poolId/settings', 'settings'],
]

export function poolPages(deps: Deps) {
  const app = new Elysia()
    .use(accessPlugin(deps))
    .get('/', ({ redirect }) => redirect('/pools', 302), { access: 'user' })
    .get(
      '/pools',
      async (ctx) => {
        const list = await pools.listPools(deps.db)
        return render(ctx, { title: 'Pools', section: 'pools', main: () => <PoolsPage pools={list} /> })
      },
      { access: 'user' },
    )
    .get('/pools/new', (ctx) => renderNewPool(ctx, { name: '', preset: 'generic', errors: {} }), { access: 'user' })
    .post(
      '/pools',
      async (ctx) => {
        const input = { name: str(ctx.body.name), preset: str(ctx.body.preset) }
        const result = await formAction(() => pools.createPool(deps.db, actorOf(ctx), input))
        if (result.ok) return redirectTo(ctx, `/pools/${result.value.id}`, `Pool "${result.value.name}" created.`)
        return renderNewPool(ctx, { ...input, errors: { [result.field]: result.message } }, result.status)
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/pools/:poolId/settings/name',
      async (ctx) => {
        const { poolId } = ctx.params
        const result = await formAction(() => pools.renamePool(deps.db, actorOf(ctx), poolId, ctx.body.name))
        if (result.ok) return redirectTo(ctx, `/pools/${poolId}/settings`, 'Pool renamed.')
        const form = { name: str(ctx.body.name), nameError: result.message }
        return renderPool(deps, ctx, poolId, 'settings', form, result.status)
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/pools/:poolId/delete',
      async (ctx) => {
        const { poolId } = ctx.params
        const confirmName = str(ctx.body.confirmName)
        const result = await formAction(() => pools.deletePool(deps.db, actorOf(ctx), poolId, confirmName))
        if (result.ok) return redirectTo(ctx, '/pools', `Pool "${result.value.name}" deleted.`)
        const form = { confirmName, deleteError: result.message }
        return renderPool(deps, ctx, poolId, 'settings', form, result.status)
      },
      { access: 'user', body: formBody },
    )
  app.get('/pools/:poolId/tiles', (ctx) => tilesFragment(deps, ctx), { access: 'user' })
  app.get(
    '/pools/:poolId/map/:cell',
    async (ctx) => {
      const { poolId, cell } = ctx.params
      const data = await mapCellPage(deps.db, poolId, cell, (ctx.query as { page?: string }).page)
      const list = () => <MapCellList poolId={poolId} data={data} />
      return render(ctx, {
        title: `Servers near ${data.place} · ${data.poolName}`,
        section: 'pools',
        main: () => (
          <Card title={`${data.poolName}: servers near ${data.place}`}>
            <p>
              <NavLink href={`/pools/${poolId}`}>Back to the Overview</NavLink>
            </p>
            <div id="map-cell">{list()}</div>
          </Card>
        ),
        parts: { 'map-cell': list },
      })
    },
    { access: 'user' },
  )
  for (const [path, tab] of TAB_PATHS) {
    app.get(
      path,
      async (ctx) => {
        const page = tab === 'overview' ? parsePage((ctx.query as { page?: string }).page) : 1
        return renderPoolView(ctx, await poolView(deps, ctx, (ctx.params as { poolId: string }).poolId, tab, undefined, page))
      },
      { access: 'user' },
    )
  }
  return app
}

type TilesCtx = PageCtx & { params: { poolId: string }; query: Record<string, string | undefined> }

/** Answers 304 when the list's fingerprint is the one the browser holds. */
function unchanged(ctx: TilesCtx, ptag: string): boolean {
  ctx.set.headers['hx-ptag'] = ptag
  ctx.set.headers['cache-control'] = 'no-store'
  if (ctx.request.headers.get('hx-ptag') !== ptag) return false
  ctx.set.status = 304
  return true
}

/**
 * The Overview's tiles, one page at a time. Polled (`?page=N`): that page
 * with the figures, the map and the member row; `part=page`: a page added
 * by "Show more", polled on its own; `part=more`: that page added, and the
 * line under it with the next "Show more".
 */
async function tilesFragment(deps: Deps, ctx: TilesCtx) {
  const { poolId } = ctx.params
  const page = parsePage(ctx.query.page)
  const part = ctx.query.part
  if (part !== undefined && part !== 'page' && part !== 'more') throw new HttpError(400, 'invalid_input', 'part must be page or more')
  if (part) {
    await pools.getPoolUncounted(deps.db, poolId)
    const fleet = await fleetCards(deps.db, poolId, { page, tilesOnly: true })
    if (part === 'page' && unchanged(ctx, fleet.ptag)) return ''
    ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
    const tiles = <MemberTiles poolId={poolId} cards={fleet.tiles} notes={fleet.notes} ptag={fleet.ptag} page={page} added />
    if (part === 'page') return tiles
    const first = Math.min(parsePage(ctx.query.first), page)
    return (
      <>
        {tiles}
        <TilesMore poolId={poolId} page={fleet.page} first={first} />
      </>
    )
  }
  const [data, jobFigures, backupFigures] = await Promise.all([
    pools.poolPage(deps.db, poolId, 'overview', { tilePage: page }),
    poolJobFigures(deps.db, poolId),
    poolBackupSummary(deps.db, poolId),
  ])
  const fleet = data.fleet!
  const ptag = tilesTag(fleet.ptag, jobFigures, backupFigures)
  if (unchanged(ctx, ptag)) return ''
  ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
  // The figures, the map and the member row's status dots follow the tiles.
  const view = { ...data, cards: fleet.row, notes: fleet.notes, ptag, csrf: null } as unknown as PoolView
  return (
    <>
      <MemberTiles poolId={poolId} cards={fleet.tiles} notes={fleet.notes} ptag={ptag} page={page} />
      <hx-partial hx-target="#fleet-kpis" hx-swap="outerHTML">
        <FleetKpis status={fleet.status} jobs={jobFigures} backups={backupFigures} />
      </hx-partial>
      <hx-partial hx-target="#fleet-map" hx-swap="outerHTML">
        <FleetMap poolId={poolId} cells={fleet.cells} />
      </hx-partial>
      <hx-partial hx-target="#member-tabs" hx-swap="outerHTML">
        <MemberTabs view={view} />
      </hx-partial>
    </>
  )
}
