// What the pool's Protection tab shows, loaded for that tab alone: the
// protected accounts with their last run (and the job it waits on while it
// runs), the pool's cPanel members as server cards, the replication log, the
// pool's DNS providers and storage, and the map of sources and standbys.
// Views only lay these out; the recovery-point and stale rules are here once.
import type { Db } from '../db'
import type { Config } from '../config'
import type { EventKind, Health } from './tab-model'
import type { Member } from '../members/store'
import { listMembers } from '../members/service'
import { memberCard } from '../members/view-model'
import type { MemberStatus } from '../members/status'
import { memberTabHref } from '../members/tabs'
import { TONE_BY_STATUS, type MapPoint } from '../geo/points'
import { listProviders } from '../dns/service'
import { kindLabel } from '../dns/provider'
import { storageInfo, type StorageInfo } from '../storage/service'
import * as jobStore from '../jobs/store'
import { cpanelOf } from '../cpanel/tab-data'
import * as store from './store'
import { isStale, poolProtectionSummary, recoveryPointSeconds, type PoolProtectionSummary } from './service'

export * from './tab-model'

/** The replication log shows this many events. */
const LOG_LIMIT = 100

export type AccountRow = store.ProtectedWithRun & {
  providerName: string | null
  health: Health
  /** Seconds since the copy on the standby was taken; null before the first good copy. */
  behindSeconds: number | null
  stale: boolean
  /** While a run is queued or running: the job it waits on and how far that job is. */
  job: { id: string; name: string; progress: number; memberId: string } | null
}

export type ServerCard = {
  id: string
  name: string
  hostname: string
  status: MemberStatus
  age: string
  agentVersion: string | null
  cpanelVersion: string | null
  accounts: number
  location: string | null
  /** Accounts protected from here, and copies kept here for accounts elsewhere. */
  sources: number
  standbys: number
  href: string
}

export type SourceChoice = { id: string; name: string; accounts: string[] }

export type MapLink = { from: string; to: string; count: number }

export type Figures = {
  total: number
  enabled: number
  healthy: number
  stale: number
  failing: number
  waiting: number
  running: number
  lastSync: Date | null
  /** The enabled account whose standby is furthest behind, or null when none has a copy yet. */
  worst: { user: string; seconds: number; sourceName: string; standbyName: string } | null
}

export type ProtectionTabData = {
  poolId: string
  csrf: string | null
  now: Date
  figures: Figures
  accounts: AccountRow[]
  servers: ServerCard[]
  /** cPanel members as the protect form offers them, with the accounts each reported. */
  sources: SourceChoice[]
  providers: { id: string; name: string; kind: string }[]
  storage: StorageInfo
  events: store.EventRow[]
  kind: EventKind | null
  points: MapPoint[]
  links: MapLink[]
  /** Members of the pool without a location, among those in the protection topology. */
  unlocated: string[]
  /** A run is queued or running: the accounts table asks again until none is. */
  live: boolean
}

/** A row's badge; stale and the recovery point are P1's rules (service.ts), read once here. */
export function healthOf(pa: Pick<store.ProtectedWithRun, 'enabled' | 'staleAt' | 'lastGoodCopyAt' | 'lastRun'>, now: Date): Health {
  if (!pa.enabled) return 'paused'
  if (pa.lastRun?.status === 'failed') return 'failing'
  if (isStale(pa, now)) return 'stale'
  if (!pa.lastGoodCopyAt) return 'waiting'
  return 'healthy'
}

function figuresOf(rows: AccountRow[]): Figures {
  const enabled = rows.filter((r) => r.enabled)
  const count = (h: Health) => enabled.filter((r) => r.health === h).length
  let worst: Figures['worst'] = null
  let lastSync: Date | null = null
  for (const r of rows) {
    if (r.lastGoodCopyAt && (!lastSync || r.lastGoodCopyAt > lastSync)) lastSync = r.lastGoodCopyAt
    if (r.enabled && r.behindSeconds !== null && (!worst || r.behindSeconds > worst.seconds)) {
      worst = { user: r.user, seconds: r.behindSeconds, sourceName: r.sourceName, standbyName: r.standbyName }
    }
  }
  return {
    total: rows.length,
    enabled: enabled.length,
    healthy: count('healthy'),
    stale: count('stale'),
    failing: count('failing'),
    waiting: count('waiting'),
    running: rows.filter((r) => r.lastRun && store.IN_FLIGHT.includes(r.lastRun.status)).length,
    lastSync,
    worst,
  }
}

const currentJobId = (run: store.RunRow) => (run.phase === 'restore' ? run.restoreJobId : run.backupJobId)

export async function protectionTabData(
  db: Db,
  config: Config,
  poolId: string,
  opts: { csrf: string | null; kind?: EventKind | null; now?: Date },
): Promise<ProtectionTabData> {
  const now = opts.now ?? new Date()
  const kind = opts.kind ?? null
  const [protectedRows, poolMembers, providers, events] = await Promise.all([
    store.listPoolProtected(db, poolId),
    listMembers(db, poolId),
    listProviders(db, poolId),
    store.listPoolEvents(db, poolId, { kind: kind ?? undefined, limit: LOG_LIMIT }),
  ])
  const providerNames = new Map(providers.map((p) => [p.id, p.name]))
  const inFlight = protectedRows.flatMap((r) => (r.lastRun && store.IN_FLIGHT.includes(r.lastRun.status) ? [currentJobId(r.lastRun)].filter((id): id is string => !!id) : []))
  const jobs = new Map((inFlight.length ? await jobStore.findJobs(db, inFlight) : []).map((j) => [j.id, j]))

  const accounts: AccountRow[] = protectedRows.map((r) => {
    const jobId = r.lastRun && store.IN_FLIGHT.includes(r.lastRun.status) ? currentJobId(r.lastRun) : null
    const job = jobId ? jobs.get(jobId) : undefined
    const health = healthOf(r, now)
    return {
      ...r,
      providerName: r.providerId ? (providerNames.get(r.providerId) ?? null) : null,
      health,
      behindSeconds: recoveryPointSeconds(r, now),
      stale: isStale(r, now),
      job: job ? { id: job.id, name: job.name, progress: job.progress, memberId: job.memberId } : null,
    }
  })

  const cpanelMembers = poolMembers.filter((m) => cpanelOf(m))
  const servers = cpanelMembers.map((m) => serverCard(m, now, accounts))
  const sources = cpanelMembers.map((m) => ({ id: m.id, name: m.name, accounts: (cpanelOf(m)?.accounts ?? []).map((a) => a.user) }))

  const { points, links, unlocated } = topology(poolMembers, accounts, now)
  return {
    poolId,
    csrf: opts.csrf,
    now,
    figures: figuresOf(accounts),
    accounts,
    servers,
    sources,
    providers: providers.map((p) => ({ id: p.id, name: p.name, kind: kindLabel(p.kind) })),
    storage: storageInfo(config),
    events,
    kind,
    points,
    links,
    unlocated,
    live: accounts.some((a) => a.lastRun && store.IN_FLIGHT.includes(a.lastRun.status)),
  }
}

function serverCard(m: Member, now: Date, accounts: AccountRow[]): ServerCard {
  const card = memberCard(m, now, { full: m })
  const cp = cpanelOf(m)
  return {
    id: m.id,
    name: m.name,
    hostname: m.hostname,
    status: card.status,
    age: card.age,
    agentVersion: m.agentVersion,
    cpanelVersion: cp?.version ?? null,
    accounts: cp?.accountCount ?? cp?.accounts.length ?? 0,
    location: m.location?.label ?? null,
    sources: accounts.filter((a) => a.sourceMemberId === m.id).length,
    standbys: accounts.filter((a) => a.standbyMemberId === m.id).length,
    href: memberTabHref(m.poolId, m.id, 'cpanel'),
  }
}

/** The members in the protection topology on the map, and a line per source → standby pair with both located. */
function topology(poolMembers: Member[], accounts: AccountRow[], now: Date) {
  const inTopology = new Set(accounts.flatMap((a) => [a.sourceMemberId, a.standbyMemberId]))
  const shown = poolMembers.filter((m) => inTopology.has(m.id) || cpanelOf(m))
  const located = (m: Member) => !!m.location && Number.isFinite(m.location.lat) && Number.isFinite(m.location.lon)
  const points: MapPoint[] = shown.filter(located).map((m) => {
    const status = memberCard(m, now, { full: m }).status
    return {
      id: m.id,
      name: m.name,
      label: m.location!.label ?? null,
      lat: m.location!.lat,
      lon: m.location!.lon,
      href: memberTabHref(m.poolId, m.id, 'cpanel'),
      tone: TONE_BY_STATUS[status],
      status,
    }
  })
  const at = new Set(points.map((p) => p.id))
  const pairs = new Map<string, MapLink>()
  for (const a of accounts) {
    if (!at.has(a.sourceMemberId) || !at.has(a.standbyMemberId)) continue
    const key = `${a.sourceMemberId}>${a.standbyMemberId}`
    const link = pairs.get(key)
    if (link) link.count++
    else pairs.set(key, { from: a.sourceMemberId, to: a.standbyMemberId, count: 1 })
  }
  return { points, links: [...pairs.values()], unlocated: shown.filter((m) => !located(m)).map((m) => m.name) }
}

// ---- for the pool Overview and a member's cPanel Overview --------------------------

export type PoolProtectionNote = PoolProtectionSummary

/** What the pool Overview says about Protection: nothing when no account is protected. */
export async function poolProtectionNote(db: Db, poolId: string, now = new Date()): Promise<PoolProtectionNote | null> {
  const summary = await poolProtectionSummary(db, poolId, now)
  return summary.protected ? summary : null
}

export type MemberTopology = {
  /** Accounts on this member kept warm elsewhere. */
  here: { user: string; standbyName: string; behindSeconds: number | null; health: Health }[]
  /** Accounts elsewhere whose standby copy is kept on this member. */
  copies: { user: string; sourceName: string; behindSeconds: number | null; health: Health }[]
}

export async function memberProtection(db: Db, member: Pick<Member, 'id' | 'poolId'>, now = new Date()): Promise<MemberTopology> {
  const rows = await store.listPoolProtected(db, member.poolId)
  const behind = (r: store.ProtectedWithRun) => recoveryPointSeconds(r, now)
  return {
    here: rows.filter((r) => r.sourceMemberId === member.id).map((r) => ({ user: r.user, standbyName: r.standbyName, behindSeconds: behind(r), health: healthOf(r, now) })),
    copies: rows.filter((r) => r.standbyMemberId === member.id).map((r) => ({ user: r.user, sourceName: r.sourceName, behindSeconds: behind(r), health: healthOf(r, now) })),
  }
}
