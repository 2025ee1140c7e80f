// Monitoring tabs' forms, "Send test email", the Outbox page, and the alert API.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { formAction, redirectTo } from '../http/forms'
import { render } from '../http/render'
import { getMember } from '../members/service'
import { renderMember } from '../members/routes'
import { memberTabHref } from '../members/tabs'
import { getPool } from '../pools/service'
import { poolView, renderPoolView } from '../pools/routes'
import { listOutbox } from '../mail'
import { OutboxPage } from '../../views/alerts/OutboxPage'
import { sendTestEmail } from './engine'
import { memberAlertsFromForm, poolAlertsFromForm } from './forms'
import { memberAlerts, poolAlerts, saveMemberAlerts, savePoolAlerts } from './settings'
import { listHistory } from './store'
import { AlertHistoryJson, MemberAlertsBody, MemberAlertsJson, PoolAlertsBody, PoolAlertsJson } from './api-schemas'
import { ErrorSchema } from '../http/api-schemas'
import { poolAlertSection } from './view'

const formBody = t.Record(t.String(), t.String(), { maxProperties: 60 })
const tags = (summary: string) => ({ detail: { tags: ['Alerts'], summary } })
const deliveryNote = (d: string, to: string[]) =>
  d === 'nobody' ? 'No recipients: tick the account email or add a team inbox.' : d === 'outbox' ? `Test email kept in the Outbox (no SMTP server is set) for ${to.join(', ')}.` : d === 'sent' ? `Test email sent to ${to.join(', ')}.` : 'The test email could not be sent: see the Outbox.'

export function alertRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/outbox', async (ctx) => {
      const mails = await listOutbox(deps)
      return render(ctx, { title: 'Outbox', section: 'none', main: () => <OutboxPage mails={mails} smtp={!!deps.config.smtpUrl} /> })
    }, { access: 'user' })
    .post(
      '/pools/:poolId/monitoring',
      async (ctx) => {
        const { poolId } = ctx.params
        const result = await formAction(() => savePoolAlerts(deps.db, actorOf(ctx), poolId, poolAlertsFromForm(ctx.body)))
        if (result.ok) return redirectTo(ctx, `/pools/${poolId}/monitoring`, 'Pool alerts saved.')
        const view = await poolView(deps, ctx, poolId, 'monitoring')
        const alerts = { ...(await poolAlertSection(deps.db, poolId)), form: { values: ctx.body, errors: { [result.field]: result.message } } }
        return renderPoolView(ctx, { ...view, alerts }, result.status)
      },
      { access: 'user', body: formBody },
    )
    .post('/pools/:poolId/monitoring/test-email', async (ctx) => {
      const pool = await getPool(deps.db, ctx.params.poolId)
      const { to, delivery } = await sendTestEmail(deps, { poolId: pool.id, poolName: pool.name, memberId: null, name: `pool ${pool.name}`, settings: await poolAlerts(deps.db, pool.id) })
      return redirectTo(ctx, `/pools/${pool.id}/monitoring`, deliveryNote(delivery, to))
    }, { access: 'user' })
    .post(
      '/pools/:poolId/members/:memberId/monitoring',
      async (ctx) => {
        const { poolId, memberId } = ctx.params
        const member = await getMember(deps.db, memberId, poolId)
        const result = await formAction(() => saveMemberAlerts(deps.db, actorOf(ctx), member, memberAlertsFromForm(ctx.body)))
        if (result.ok) return redirectTo(ctx, memberTabHref(poolId, memberId, 'monitoring'), 'Alerts saved.')
        return renderMember(deps, ctx, poolId, memberId, 'monitoring', { alertForm: { values: ctx.body, errors: { [result.field]: result.message } }, status: result.status })
      },
      { access: 'user', body: formBody },
    )
    .post('/pools/:poolId/members/:memberId/monitoring/test-email', async (ctx) => {
      const { poolId, memberId } = ctx.params
      const member = await getMember(deps.db, memberId, poolId)
      const pool = await getPool(deps.db, poolId)
      const { to, delivery } = await sendTestEmail(deps, { poolId, poolName: pool.name, memberId, name: member.name, settings: await memberAlerts(deps.db, memberId) })
      return redirectTo(ctx, memberTabHref(poolId, memberId, 'monitoring'), deliveryNote(delivery, to))
    }, { access: 'user' })
    .get('/api/v1/members/:memberId/alerts', async ({ params }) => memberAlerts(deps.db, (await getMember(deps.db, params.memberId)).id), {
      access: 'user',
      response: { 200: MemberAlertsJson, 404: ErrorSchema },
      ...tags("A member's alert settings"),
    })
    .put('/api/v1/members/:memberId/alerts', async (ctx) => saveMemberAlerts(deps.db, actorOf(ctx), await getMember(deps.db, ctx.params.memberId), ctx.body), {
      access: 'user',
      body: MemberAlertsBody,
      response: { 200: MemberAlertsJson, 404: ErrorSchema, 422: ErrorSchema },
      ...tags("Set a member's alerts (fields left out keep their value)"),
    })
    .get('/api/v1/pools/:poolId/alerts', async ({ params }) => poolAlerts(deps.db, (await getPool(deps.db, params.poolId)).id), {
      access: 'user',
      response: { 200: PoolAlertsJson, 404: ErrorSchema },
      ...tags("A pool's alert presets"),
    })
    .put('/api/v1/pools/:poolId/alerts', async (ctx) => savePoolAlerts(deps.db, actorOf(ctx), (await getPool(deps.db, ctx.params.poolId)).id, ctx.body), {
      access: 'user',
      body: PoolAlertsBody,
      response: { 200: PoolAlertsJson, 404: ErrorSchema, 422: ErrorSchema },
      ...tags("Set a pool's alert presets (fields left out keep their value)"),
    })
    .get(
      '/api/v1/pools/:poolId/alerts/history',
      async ({ params, query }) =>
        (await listHistory(deps.db, { poolId: (await getPool(deps.db, params.poolId)).id, memberId: query.member || undefined }, 200)).map((h) => ({ ...h, id: String(h.id), at: h.at.toISOString() })),
      {
        access: 'user',
        query: t.Object({ member: t.Optional(t.String({ maxLength: 64 })) }),
        response: { 200: t.Array(AlertHistoryJson), 404: ErrorSchema },
        ...tags('What fired, when, and who was told'),
      },
    )
}
