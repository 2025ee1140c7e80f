// The alert evaluation: judge the members that need it and every pool, move
// each alert's state machine, and write each real transition together with
// its email (a notice) in one transaction. Sending is another step (send.ts),
// so a slow mail server never holds this one.
import type { Deps } from '../server/deps'
import type { Db } from '../db'
import { sendMail } from '../mail'
import { newId } from '../crypto/tokens'
import { memberTabHref } from '../members/tabs'
import { isOutdated } from '../members/view-model'
import { memberConditions, poolConditions, type Condition } from './conditions'
import { renderAlertMail, type AlertMail } from './email'
import { describeEvent } from '../failover/words'
import { step, type AlertState } from './machine'
import { MEMBER_DEFAULTS, memberAlertsFrom, poolAlertsFrom, type MemberAlerts, type PoolAlerts } from './settings'
import * as store from './store'

const recipientsFor = (s: { recipients: string[]; notifyAccount: boolean }, accounts: string[]) =>
  [...new Set([...(s.notifyAccount ? accounts : []), ...s.recipients])]

/** What one evaluation shares: the database, the links' base, and the account emails, read once and only if an email is written. */
type Pass = { db: Db; publicUrl: string; now: Date; accounts: () => Promise<string[]> }

type Target = { poolId: string; poolName: string; member: { id: string; name: string } | null; settings: MemberAlerts | PoolAlerts; link: string }

// A host part the receiving side can read back; the id alone makes it unique.
function messageIdFor(id: string, publicUrl: string): string {
  let host = 'serversctl.invalid'
  try {
    host = new URL(publicUrl).hostname || host
  } catch {}
  return `<${id}@${host}>`
}

/** An alert email as a notice row: rendered now, sent by the send step, dated `createdAt` (the pass's time unless it tells of an earlier moment). */
function noticeOf(pass: Pass, at: { poolId: string; memberId: string | null; kind: string }, mail: AlertMail & { event: 'fired' | 'resolved' | 'failover' }, createdAt = pass.now): store.NewAlertNotice {
  const rendered = renderAlertMail(mail)
  const id = newId('ntc', 16)
  return {
    id,
    poolId: at.poolId,
    memberId: at.memberId,
    kind: at.kind,
    event: mail.event,
    recipients: rendered.to,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId: messageIdFor(id, pass.publicUrl),
    createdAt,
  }
}

async function advance(pass: Pass, target: Target, cond: Condition, prevRow: store.MachineRow | undefined) {
  const { now } = pass
  const memberId = target.member?.id ?? null
  const prev: AlertState | null = prevRow ? { state: prevRow.state, since: prevRow.since, firedAt: prevRow.firedAt } : null
  const { next, notify } = step(prev, cond.bad, now, cond)
  // At rest with nothing stored is the same as at rest stored: no row to write.
  if (!prev && next.state === 'ok') return
  if (prev && prev.state === next.state && prev.since.getTime() === next.since.getTime()) return
  let notice: store.NewAlertNotice | null = null
  if (notify && !(notify === 'resolved' && !target.settings.recovery)) {
    const who = target.member ? `${target.member.name} (${target.poolName})` : `pool ${target.poolName}`
    const since = notify === 'fired' ? now : prev?.firedAt ?? now
    notice = noticeOf(pass, { poolId: target.poolId, memberId, kind: cond.kind }, {
      to: recipientsFor(target.settings, await pass.accounts()),
      event: notify,
      subject: notify === 'fired' ? `${who}: ${cond.summary}` : `${who}: ${cond.kind} back to normal`,
      lines: [...cond.figures, notify === 'fired' ? `Since: ${since.toISOString()}` : `Was firing since: ${since.toISOString()}`],
      link: target.link,
    })
  }
  const state = { key: `${memberId ?? target.poolId}:${cond.kind}`, poolId: target.poolId, memberId, kind: cond.kind, state: next.state, since: next.since, firedAt: next.firedAt, summary: cond.summary }
  await pass.db.transaction(async (tx) => {
    await store.saveState(tx, state)
    if (notice) await store.insertNotice(tx, notice)
  })
}

/** A finished cut's email, written in the transaction that marks the cut told: one notice per cut, never none. */
async function noticeCuts(pass: Pass, pools: Map<string, { name: string; settings: PoolAlerts }>) {
  for (const cut of await store.unnotifiedCuts(pass.db)) {
    const pool = pools.get(cut.poolId)
    const settings = pool?.settings ?? poolAlertsFrom(null)
    let notice: store.NewAlertNotice | null = null
    if (settings.failoverEmail) {
      const names = await store.memberNames(pass.db, [cut.fromMemberId, cut.toMemberId].filter((id): id is string => !!id))
      const words = describeEvent(cut, (id) => names.get(id) ?? id)
      // The pool's history, not one member's: a cut concerns both (their activity says so).
      // Dated when the cut finished, so two cuts told in one pass are sent, and listed, in the order they happened.
      notice = noticeOf(pass, { poolId: cut.poolId, memberId: null, kind: 'failover' }, {
        to: [...new Set([...(settings.notifyAccount ? await pass.accounts() : []), ...settings.failoverRecipients])],
        event: 'failover',
        subject: `${pool?.name ?? cut.poolId}: ${words.summary}`,
        lines: [`Why: ${words.why}.`, `DNS: ${words.dns}`, `Detected: ${cut.detectedAt.toISOString()}`, `Completed: ${cut.completedAt?.toISOString() ?? 'not yet'}`],
        link: `${pass.publicUrl}/pools/${cut.poolId}`,
      }, cut.completedAt ?? pass.now)
    }
    await pass.db.transaction(async (tx) => {
      if (!(await store.claimCutNotice(tx, cut.id, pass.now))) return
      if (notice) await store.insertNotice(tx, notice)
    })
  }
}

export async function evaluateAlerts(deps: Deps, now = new Date()): Promise<{ members: number }> {
  let accounts: Promise<string[]> | null = null
  const pass: Pass = { db: deps.db, publicUrl: deps.config.publicUrl, now, accounts: () => (accounts ??= store.accountEmails(deps.db)) }
  const poolRows = await store.poolsToJudge(deps.db)
  const pools = new Map(poolRows.map((p) => [p.id, { name: p.name, settings: poolAlertsFrom(p.settings) }]))
  const judged = await store.membersToJudge(deps.db, now, MEMBER_DEFAULTS)
  const bySetting = [...pools].map(([poolId, p]) => ({ poolId, ...p.settings }))
  const [states, silent, outdated] = await Promise.all([
    store.statesToJudge(deps.db, judged.map((m) => m.id)),
    store.silentMembers(deps.db, now, bySetting.filter((p) => p.anySilent.enabled).map((p) => ({ poolId: p.poolId, afterSeconds: p.anySilent.afterSeconds }))),
    store.outdatedAgents(deps.db, bySetting.filter((p) => p.outdatedAgents.enabled).map((p) => p.poolId), isOutdated),
  ])
  const byKey = new Map(states.map((s) => [s.key, s]))
  for (const m of judged) {
    const settings = memberAlertsFrom(m.settings)
    const target = { poolId: m.poolId, poolName: pools.get(m.poolId)?.name ?? m.poolId, member: m, settings, link: `${deps.config.publicUrl}${memberTabHref(m.poolId, m.id, 'status')}` }
    for (const cond of memberConditions(m, settings, now)) await advance(pass, target, cond, byKey.get(`${m.id}:${cond.kind}`))
  }
  for (const [poolId, pool] of pools) {
    const target = { poolId, poolName: pool.name, member: null, settings: pool.settings, link: `${deps.config.publicUrl}/pools/${poolId}` }
    const facts = { silent: silent.filter((m) => m.poolId === poolId), outdated: outdated.filter((v) => v.poolId === poolId) }
    for (const cond of poolConditions(facts, pool.settings)) await advance(pass, target, cond, byKey.get(`${poolId}:${cond.kind}`))
  }
  await noticeCuts(pass, pools)
  return { members: judged.length }
}

/** "Send test email" on a Monitoring tab: at once, one try, so the page can say how it went. */
export async function sendTestEmail(deps: Deps, target: { poolId: string; poolName: string; memberId: string | null; name: string; settings: { recipients: string[]; notifyAccount: boolean } }) {
  const to = recipientsFor(target.settings, await store.accountEmails(deps.db))
  const mail = renderAlertMail({ to, event: 'test', subject: `Test email for ${target.name}`, lines: ['Alert emails for this reach these recipients.', `Sent: ${new Date().toISOString()}`], link: null })
  const delivery = await sendMail(deps, mail)
  await store.insertHistory(deps.db, { poolId: target.poolId, memberId: target.memberId, kind: 'test', event: 'test', summary: mail.subject, recipients: to, delivery })
  return { to, delivery }
}
