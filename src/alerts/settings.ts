// Alert settings with their defaults: every new member is watched sensibly
// from the start, and a setting left out keeps its default.
import { eq } from 'drizzle-orm'
import type { Db } from '../db'
import { memberAlertSettings, poolAlertSettings } from '../db/schema'
import { recordAudit, type Actor } from '../audit/service'
import { badInput } from '../http/errors'

export type Threshold = { enabled: boolean; percent: number; minutes: number }

export type MemberAlerts = {
  heartbeat: { enabled: boolean; afterSeconds: number }
  cpu: Threshold
  memory: Threshold
  disk: Threshold
  services: { enabled: boolean }
  tls: { enabled: boolean; days: number }
  recipients: string[]
  notifyAccount: boolean
  recovery: boolean
}

export type PoolAlerts = {
  anySilent: { enabled: boolean; afterSeconds: number }
  outdatedAgents: { enabled: boolean }
  failoverBannerMinutes: number
  failoverEmail: boolean
  failoverRecipients: string[]
  recipients: string[]
  notifyAccount: boolean
  recovery: boolean
}

export const MEMBER_DEFAULTS: MemberAlerts = {
  heartbeat: { enabled: true, afterSeconds: 60 },
  cpu: { enabled: true, percent: 95, minutes: 10 },
  memory: { enabled: true, percent: 95, minutes: 10 },
  disk: { enabled: true, percent: 90, minutes: 5 },
  services: { enabled: true },
  tls: { enabled: true, days: 14 },
  recipients: [],
  notifyAccount: true,
  recovery: true,
}

export const POOL_DEFAULTS: PoolAlerts = {
  anySilent: { enabled: true, afterSeconds: 120 },
  outdatedAgents: { enabled: true },
  failoverBannerMinutes: 120,
  failoverEmail: true,
  failoverRecipients: [],
  recipients: [],
  notifyAccount: true,
  recovery: true,
}

function merge<T>(defaults: T, saved: unknown): T {
  if (!saved || typeof saved !== 'object') return structuredClone(defaults)
  const out = structuredClone(defaults) as Record<string, unknown>
  for (const [k, v] of Object.entries(saved as Record<string, unknown>)) {
    if (!(k in out)) continue
    const d = out[k]
    out[k] = d && typeof d === 'object' && !Array.isArray(d) && v && typeof v === 'object' ? { ...d, ...v } : v
  }
  return out as T
}

const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/

export function checkRecipients(raw: unknown, field: string): string[] {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,;]+/) : []
  const emails = [...new Set(list.map((e) => String(e).trim()).filter(Boolean))]
  if (emails.length > 20) throw badInput('At most 20 recipients', field)
  const bad = emails.find((e) => !EMAIL.test(e))
  if (bad) throw badInput(`"${bad}" is not an email address`, field)
  return emails
}

function num(raw: unknown, field: string, label: string, min: number, max: number): number {
  const n = Number(raw)
  if (raw === '' || raw === null || raw === undefined || !Number.isFinite(n) || n < min || n > max) {
    throw badInput(`${label} must be a number from ${min} to ${max}`, field)
  }
  return Math.round(n)
}

const threshold = (t: Threshold, label: string, key: string): Threshold => ({
  enabled: !!t.enabled,
  percent: num(t.percent, `${key}Percent`, `${label} threshold`, 1, 100),
  minutes: num(t.minutes, `${key}Minutes`, `${label} duration`, 1, 1440),
})

export function checkMemberAlerts(input: unknown): MemberAlerts {
  const m = merge(MEMBER_DEFAULTS, input)
  return {
    heartbeat: { enabled: !!m.heartbeat.enabled, afterSeconds: num(m.heartbeat.afterSeconds, 'heartbeatSeconds', 'The heartbeat alert delay', 20, 86_400) },
    cpu: threshold(m.cpu, 'CPU', 'cpu'),
    memory: threshold(m.memory, 'Memory', 'memory'),
    disk: threshold(m.disk, 'Disk', 'disk'),
    services: { enabled: !!m.services.enabled },
    tls: { enabled: !!m.tls.enabled, days: num(m.tls.days, 'tlsDays', 'The certificate warning', 1, 365) },
    recipients: checkRecipients(m.recipients, 'recipients'),
    notifyAccount: !!m.notifyAccount,
    recovery: !!m.recovery,
  }
}

export function checkPoolAlerts(input: unknown): PoolAlerts {
  const p = merge(POOL_DEFAULTS, input)
  return {
    anySilent: { enabled: !!p.anySilent.enabled, afterSeconds: num(p.anySilent.afterSeconds, 'anySilentSeconds', 'The silence delay', 20, 86_400) },
    outdatedAgents: { enabled: !!p.outdatedAgents.enabled },
    // The hosted product's Community plan caps this at 2 h; a self-hosted one need not.
    failoverBannerMinutes: num(p.failoverBannerMinutes, 'failoverBannerMinutes', 'The failover banner', 1, 10_080),
    failoverEmail: !!p.failoverEmail,
    failoverRecipients: checkRecipients(p.failoverRecipients, 'failoverRecipients'),
    recipients: checkRecipients(p.recipients, 'recipients'),
    notifyAccount: !!p.notifyAccount,
    recovery: !!p.recovery,
  }
}

export async function memberAlerts(db: Db, memberId: string): Promise<MemberAlerts> {
  const [row] = await db.select().from(memberAlertSettings).where(eq(memberAlertSettings.memberId, memberId))
  return merge(MEMBER_DEFAULTS, row?.settings)
}

export async function poolAlerts(db: Db, poolId: string): Promise<PoolAlerts> {
  const [row] = await db.select().from(poolAlertSettings).where(eq(poolAlertSettings.poolId, poolId))
  return merge(POOL_DEFAULTS, row?.settings)
}

/** Settings as saved (null when never saved) read over the defaults. */
export const memberAlertsFrom = (saved: unknown): MemberAlerts => merge(MEMBER_DEFAULTS, saved)
export const poolAlertsFrom = (saved: unknown): PoolAlerts => merge(POOL_DEFAULTS, saved)

export async function saveMemberAlerts(db: Db, actor: Actor, member: { id: string; poolId: string; name: string }, input: unknown) {
  const settings = checkMemberAlerts(input)
  await db
    .insert(memberAlertSettings)
    .values({ memberId: member.id, settings })
    .onConflictDoUpdate({ target: memberAlertSettings.memberId, set: { settings, updatedAt: new Date() } })
  await recordAudit(db, actor, { action: 'alerts.member.configure', targetType: 'member', targetId: member.id, targetLabel: member.name, poolId: member.poolId })
  return settings
}

export async function savePoolAlerts(db: Db, actor: Actor, poolId: string, input: unknown) {
  const settings = checkPoolAlerts(input)
  await db
    .insert(poolAlertSettings)
    .values({ poolId, settings })
    .onConflictDoUpdate({ target: poolAlertSettings.poolId, set: { settings, updatedAt: new Date() } })
  await recordAudit(db, actor, { action: 'alerts.pool.configure', targetType: 'pool', targetId: poolId, poolId })
  return settings
}

