// The member's Restore Backups tab and its forms: restore, verify and delete
// a snapshot, a schedule's retention, the presets and "Back up now" (which
// the Control panel's quick action posts here too). Each form posts, then
// redirects (303); a refusal re-renders the tab with the message by its
// field and changes nothing.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { echoOf, formAction, redirectTo, str } from '../http/forms'
import { FieldErrors } from '../http/field-errors'
import { badInput, conflict, notFound } from '../http/errors'
import { renderMember } from '../members/routes'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { memberTabHref } from '../members/tabs'
import { getSchedule } from '../jobs/schedules'
import { BackupsTab, RunningBackups } from '../../views/members/tabs/BackupsTab'
import { backupsHref, type BackupsEcho } from '../../views/members/tabs/BackupsModel'
import { backUpNow, createBackupPreset, deleteSnapshot, getSnapshot, queueRestore, queueVerify, setRetention, type BackupPreset, type Snapshot } from './service'
import { backupsTabData, runningData, JUST_QUEUED_MAX } from './tab-data'

const formBody = t.Record(t.String(), t.String({ maxLength: 4096 }), { maxProperties: 20 })
type PageCtx = Parameters<typeof renderMember>[1]
type Ids = { poolId: string; memberId: string }
type FormCtx = PageCtx & { body: Record<string, string>; params: Ids; ip: string | null }

const PRESETS: BackupPreset[] = ['databases-nightly', 'files-weekly']
const KEEP_LABELS = { keepDaily: 'Keep daily', keepWeekly: 'Keep weekly', keepMonthly: 'Keep monthly' } as const

/** The tab, with a refused form's values and messages, or the jobs just queued to link to. */
function showBackupsTab(deps: Deps, ctx: PageCtx, { poolId, memberId }: Ids, extra: { echo?: BackupsEcho; status?: number; queued?: string[] } = {}) {
  const panel = async (member: Member) => (
    <BackupsTab data={await backupsTabData(deps.db, member, { csrf: expectedCsrf(ctx), queuedIds: extra.queued, echo: extra.echo })} />
  )
  return renderMember(deps, ctx, poolId, memberId, 'backups', { status: extra.status, panel })
}

/** The member's own snapshot, or 404: a snapshot id from another member's page is not found here. */
async function ownSnapshot(deps: Deps, { poolId, memberId }: Ids, snapshotId: string): Promise<Snapshot> {
  await getMember(deps.db, memberId, poolId)
  const snap = await getSnapshot(deps.db, snapshotId)
  if (snap.memberId !== memberId || snap.poolId !== poolId) throw notFound('Snapshot')
  return snap
}

const queuedTo = (ids: Ids, jobIds: string[]) => `${backupsHref(ids.poolId, ids.memberId)}?queued=${jobIds.join(',')}`

/** Restore: a new database (or the original, its name typed), or a folder, on a member of the pool. */
async function restoreSnapshot(deps: Deps, ctx: FormCtx, snapshotId: string) {
  const snap = await ownSnapshot(deps, ctx.params, snapshotId)
  const body = ctx.body
  const values = { memberId: str(body.memberId), mode: str(body.mode), database: str(body.database).trim(), path: str(body.path).trim(), confirm: str(body.confirm) }
  const result = await formAction(async () => {
    if (!values.memberId) throw badInput('Choose the member to restore to.', 'memberId')
    // An account is restored under its own name: over the one there only when "replace" was chosen and its name typed.
    if (snap.kind === 'cpanel_account') {
      const replace = values.mode === 'replace'
      if (replace && values.confirm.trim() !== snap.source)
        throw new FieldErrors({ confirm: `Type ${snap.source} to replace the account: its files, mail and databases there are overwritten.` })
      return queueRestore(deps.db, actorOf(ctx), snap.id, { memberId: values.memberId, replace })
    }
    if (snap.kind !== 'database') return queueRestore(deps.db, actorOf(ctx), snap.id, { memberId: values.memberId, path: values.path })
    if (values.mode === 'replace') {
      if (values.confirm.trim() !== snap.source) throw new FieldErrors({ confirm: `Type ${snap.source} to replace it: its current contents are lost.` })
      return queueRestore(deps.db, actorOf(ctx), snap.id, { memberId: values.memberId, database: snap.source, replace: true })
    }
    if (values.database === snap.source) throw badInput(`${snap.source} is the original: choose "Replace" to restore over it, or give a new name.`, 'database')
    return queueRestore(deps.db, actorOf(ctx), snap.id, { memberId: values.memberId, database: values.database })
  })
  if (result.ok) return redirectTo(ctx, queuedTo(ctx.params, [result.value.id]))
  const echo = echoOf('restore', snap.id, values, result, ['memberId', 'database', 'path', 'confirm'])
  return showBackupsTab(deps, ctx, ctx.params, { echo, status: result.status })
}

async function verifySnapshot(deps: Deps, ctx: FormCtx, snapshotId: string) {
  const snap = await ownSnapshot(deps, ctx.params, snapshotId)
  const result = await formAction(() => queueVerify(deps.db, actorOf(ctx), snap.id))
  if (result.ok) return redirectTo(ctx, queuedTo(ctx.params, [result.value.id]))
  return showBackupsTab(deps, ctx, ctx.params, { echo: echoOf('verify', snap.id, {}, result, []), status: result.status })
}

async function removeSnapshot(deps: Deps, ctx: FormCtx, snapshotId: string) {
  const snap = await ownSnapshot(deps, ctx.params, snapshotId)
  const result = await formAction(() => deleteSnapshot(deps.db, actorOf(ctx), snap.id))
  if (result.ok) {
    const when = snap.createdAt.toISOString().slice(0, 16).replace('T', ' ')
    return redirectTo(ctx, backupsHref(ctx.params.poolId, ctx.params.memberId), `Snapshot of ${snap.source} (${when} UTC) deleted.`)
  }
  return showBackupsTab(deps, ctx, ctx.params, { echo: echoOf('delete', snap.id, {}, result, []), status: result.status })
}

/** A form's whole number, or the value as typed for the service to refuse. */
const wholeNumber = (v: string): number | string => (/^\s*\d{1,6}\s*$/.test(v) ? Number(v) : v)

async function saveRetention(deps: Deps, ctx: FormCtx, scheduleId: string) {
  const { poolId, memberId } = ctx.params
  await getMember(deps.db, memberId, poolId)
  await getSchedule(deps.db, scheduleId, memberId)
  const values = { keepDaily: str(ctx.body.keepDaily), keepWeekly: str(ctx.body.keepWeekly), keepMonthly: str(ctx.body.keepMonthly) }
  const input = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, wholeNumber(v)]))
  const result = await formAction(() => setRetention(deps.db, actorOf(ctx), scheduleId, input))
  if (result.ok) {
    const r = result.value
    return redirectTo(ctx, backupsHref(poolId, memberId), `Retention saved: ${r.keepDaily} daily, ${r.keepWeekly} weekly, ${r.keepMonthly} monthly.`)
  }
  const echo = echoOf('retention', scheduleId, values, result, Object.keys(KEEP_LABELS))
  // The service names its fields; the form shows their labels.
  for (const [field, label] of Object.entries(KEEP_LABELS)) if (echo.errors[field]) echo.errors[field] = echo.errors[field]!.replace(field, label)
  return showBackupsTab(deps, ctx, ctx.params, { echo, status: result.status })
}

async function addPreset(deps: Deps, ctx: FormCtx) {
  const { poolId, memberId } = ctx.params
  await getMember(deps.db, memberId, poolId)
  const preset = str(ctx.body.preset) as BackupPreset
  const values = { path: str(ctx.body.path).trim() }
  const result = await formAction(async () => {
    if (!PRESETS.includes(preset)) throw badInput('Choose "Every database, nightly" or "Site files, weekly".')
    if (preset === 'files-weekly' && !values.path) throw badInput('Give the folder to back up, such as a site’s document root.', 'path')
    return createBackupPreset(deps.db, actorOf(ctx), memberId, preset, preset === 'files-weekly' ? { path: values.path } : {})
  })
  if (result.ok) {
    const n = result.value.length
    const said = n ? `${n} backup schedule${n === 1 ? '' : 's'} added.` : 'Already scheduled: nothing added.'
    return redirectTo(ctx, backupsHref(poolId, memberId), said)
  }
  const key = PRESETS.includes(preset) ? preset : 'databases-nightly'
  return showBackupsTab(deps, ctx, ctx.params, { echo: echoOf('preset', key, values, result, ['path']), status: result.status })
}

/** Back up now, from this tab or the Control panel: the server's name typed, then one job per database (or the configuration). */
async function backUpMemberNow(deps: Deps, ctx: FormCtx) {
  const { poolId, memberId } = ctx.params
  const member = await getMember(deps.db, memberId, poolId)
  const confirm = str(ctx.body.confirm)
  const from = str(ctx.body.from) === 'control' ? 'control' : 'backups'
  const result = await formAction(async () => {
    if (!member.lastHeartbeatAt) throw conflict(`The agent on ${member.name} has not checked in yet: backups wait for its first heartbeat.`, 'confirm')
    if (confirm.trim() !== member.name) throw badInput(`Type ${member.name} to confirm.`, 'confirm')
    return backUpNow(deps.db, actorOf(ctx), memberId)
  })
  if (result.ok) return redirectTo(ctx, queuedTo(ctx.params, result.value.map((j) => j.id)))
  if (from === 'control') {
    const jobForm = { name: 'backup.now', values: { confirm }, field: 'confirm', message: result.message }
    return renderMember(deps, ctx, poolId, memberId, 'control', { status: result.status, jobForm })
  }
  return showBackupsTab(deps, ctx, ctx.params, { echo: echoOf('now', 'now', { confirm }, result, ['confirm']), status: result.status })
}

const html = (ctx: { set: { headers: Record<string, string | number> } }) => {
  ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
  ctx.set.headers['cache-control'] = 'no-store'
}

export function backupTabPages(deps: Deps) {
  const base = '/pools/:poolId/members/:memberId/backups'
  const snapshot = `${base}/snapshots/:snapshotId`
  return (
    new Elysia()
      .use(accessPlugin(deps))
      .get(
        base,
        (ctx) => {
          const queued = (ctx.query.queued ?? '').split(',').filter((id) => /^[A-Za-z0-9_-]{1,64}$/.test(id)).slice(0, JUST_QUEUED_MAX)
          return showBackupsTab(deps, ctx, ctx.params, { queued })
        },
        { access: 'user', query: t.Object({ queued: t.Optional(t.String({ maxLength: 2000 })) }) },
      )
      // The running backups' poll. Once nothing runs any more, the whole tab
      // comes back instead, with the snapshot the backup made.
      .get(
        `${base}/running`,
        async (ctx) => {
          const member = await getMember(deps.db, ctx.params.memberId, ctx.params.poolId)
          const data = await runningData(deps.db, member)
          html(ctx)
          if (ctx.query.live && data.running.length + data.queued.length === 0) {
            ctx.set.headers['hx-retarget'] = '#member-panel'
            ctx.set.headers['hx-reswap'] = 'innerHTML'
            return <BackupsTab data={await backupsTabData(deps.db, member, { csrf: expectedCsrf(ctx) })} />
          }
          return <RunningBackups data={data} />
        },
        { access: 'user', query: t.Object({ live: t.Optional(t.String({ maxLength: 1 })) }) },
      )
      // A form left on screen after a refusal can be reloaded: back to the tab.
      .get(`${snapshot}/:action`, (ctx) => redirectTo(ctx, memberTabHref(ctx.params.poolId, ctx.params.memberId, 'backups')), { access: 'user' })
      .post(`${snapshot}/restore`, (ctx) => restoreSnapshot(deps, ctx, ctx.params.snapshotId), { access: 'user', body: formBody })
      .post(`${snapshot}/verify`, (ctx) => verifySnapshot(deps, ctx, ctx.params.snapshotId), { access: 'user', body: formBody })
      .post(`${snapshot}/delete`, (ctx) => removeSnapshot(deps, ctx, ctx.params.snapshotId), { access: 'user', body: formBody })
      .post(`${base}/schedules/:scheduleId/retention`, (ctx) => saveRetention(deps, ctx, ctx.params.scheduleId), { access: 'user', body: formBody })
      .post(`${base}/presets`, (ctx) => addPreset(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/now`, (ctx) => backUpMemberNow(deps, ctx), { access: 'user', body: formBody })
  )
}
