// The alert tick: evaluate every member and pool, move each alert's state
// machine, and email the real transitions (and finished failover cuts).
import type { Deps } from '../server/deps'
import { sendMail } from '../mail'
import { memberTabHref } from '../members/tabs'
import { memberConditions, poolConditions, type Condition } from './conditions'
import { renderAlertMail } from './email'
import { describeEvent } from '../failover/words'
import { step, type AlertState } from './machine'
import { allMemberAlerts, MEMBER_DEFAULTS, poolAlerts, type MemberAlerts, type PoolAlerts } from './settings'
import * as store from './store'

const recipientsFor = (s: { recipients: string[]; notifyAccount: boolean }, accounts: string[]) =>
  [...new Set([...(s.notifyAccount ? accounts : []), ...s.recipients])]

type Target = { poolId: string; poolName: string; member: store.AlertMember | null; settings: MemberAlerts | PoolAlerts; link: string }

async function advance(deps: Deps, target: Target, cond: Condition, prevRow: store.MachineRow | undefined, accounts: string[], now: Date) {
  const key = `${target.member?.id ?? target.poolId}:${cond.kind}`
  const prev: AlertState | null = prevRow ? { state: prevRow.state, since: prevRow.since, firedAt: prevRow.firedAt } : null
  const { next, notify } = step(prev, cond.bad, now, cond)
  if (prev && prev.state === next.state && prev.since.getTime() === next.since.getTime()) return
  await store.saveState(deps.db, { key, poolId: target.poolId, memberId: target.member?.id ?? null, kind: cond.kind, state: next.state, since: next.since, firedAt: next.firedAt, summary: cond.summary })
  if (!notify || (notify === 'resolved' && !target.settings.recovery)) return
  const who = target.member ? `${target.member.name} (${target.poolName})` : `pool ${target.poolName}`
  const to = recipientsFor(target.settings, accounts)
  const since = notify === 'fired' ? now : prev?.firedAt ?? now
  const mail = renderAlertMail({
    to,
    event: notify,
    subject: notify === 'fired' ? `${who}: ${cond.summary}` : `${who}: ${cond.kind} back to normal`,
    lines: [...cond.figures, notify === 'fired' ? `Since: ${since.toISOString()}` : `Was firing since: ${since.toISOString()}`],
    link: target.link,
  })
  const delivery = await sendMail(deps, mail)
  await store.insertHistory(deps.db, { poolId: target.poolId, memberId: target.member?.id ?? null, kind: cond.kind, event: notify, at: now, summary: mail.subject, recipients: to, delivery })
}

async function notifyCuts(deps: Deps, poolNames: Map<string, string>, members: store.AlertMember[], accounts: string[], now: Date) {
  for (const cut of await store.unnotifiedCuts(deps.db)) {
    if (!(await store.claimCutNotice(deps.db, cut.id, now))) continue
    const settings = await poolAlerts(deps.db, cut.poolId)
    if (!settings.failoverEmail) continue
    const name = (id: string) => members.find((m) => m.id === id)?.name ?? id
    const to = [...new Set([...(settings.notifyAccount ? accounts : []), ...settings.failoverRecipients])]
    const poolName = poolNames.get(cut.poolId) ?? cut.poolId
    const words = describeEvent(cut, name)
    const mail = renderAlertMail({
      to,
      event: 'failover',
      subject: `${poolName}: ${words.summary}`,
      lines: [`Why: ${words.why}.`, `DNS: ${words.dns}`, `Detected: ${cut.detectedAt.toISOString()}`, `Completed: ${cut.completedAt?.toISOString() ?? 'not yet'}`],
      link: `${deps.config.publicUrl}/pools/${cut.poolId}`,
    })
    const delivery = await sendMail(deps, mail)
    // The pool's history, not one member's: a cut concerns both (their activity says so).
    await store.insertHistory(deps.db, { poolId: cut.poolId, memberId: null, kind: 'failover', event: 'failover', at: now, summary: mail.subject, recipients: to, delivery })
  }
}

export async function evaluateAlerts(deps: Deps, now = new Date()): Promise<void> {
  const [members, pools, states, memberSettings, accounts] = await Promise.all([
    store.allMembers(deps.db),
    store.allPools(deps.db),
    store.allStates(deps.db),
    allMemberAlerts(deps.db),
    store.accountEmails(deps.db),
  ])
  const byKey = new Map(states.map((s) => [s.key, s]))
  const poolNames = new Map(pools.map((p) => [p.id, p.name]))
  for (const m of members) {
    const settings = memberSettings.get(m.id) ?? MEMBER_DEFAULTS
    const target = { poolId: m.poolId, poolName: poolNames.get(m.poolId) ?? m.poolId, member: m, settings, link: `${deps.config.publicUrl}${memberTabHref(m.poolId, m.id, 'status')}` }
    for (const cond of memberConditions(m, settings, now)) await advance(deps, target, cond, byKey.get(`${m.id}:${cond.kind}`), accounts, now)
  }
  for (const pool of pools) {
    const settings = await poolAlerts(deps.db, pool.id)
    const target = { poolId: pool.id, poolName: pool.name, member: null, settings, link: `${deps.config.publicUrl}/pools/${pool.id}` }
    for (const cond of poolConditions(members.filter((m) => m.poolId === pool.id), settings, now)) {
      await advance(deps, target, cond, byKey.get(`${pool.id}:${cond.kind}`), accounts, now)
    }
  }
  await notifyCuts(deps, poolNames, members, accounts, now)
}

/** "Send test email" on a Monitoring tab. */
export async function sendTestEmail(deps: Deps, target: { poolId: string; poolName: string; memberId: string | null; name: string; settings: { recipients: string[]; notifyAccount: boolean } }) {
  const to = recipientsFor(target.settings, await store.accountEmails(deps.db))
  const mail = renderAlertMail({ to, event: 'test', subject: `Test email for ${target.name}`, lines: ['Alert emails for this reach these recipients.', `Sent: ${new Date().toISOString()}`], link: null })
  const delivery = await sendMail(deps, mail)
  await store.insertHistory(deps.db, { poolId: target.poolId, memberId: target.memberId, kind: 'test', event: 'test', summary: mail.subject, recipients: to, delivery })
  return { to, delivery }
}
