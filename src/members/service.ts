// Members: adding a server to a pool, its install command, its settings,
// removing it, and the shapes the pages and the API show.
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { newId, newSecret, sha256 } from '../crypto/tokens'
import type { SecretBox } from '../crypto/secret-box'
import { checkConfirmName, notFound } from '../http/errors'
import { fieldChecks } from '../http/field-errors'
import { getPool } from '../pools/service'
import * as store from './store'
import { agentTokens } from '../agent-api/token-cache'
import { memberStatus, HEARTBEAT_SECONDS } from './status'
import { storedStacks } from './stacks'
import { checkEgressIps, checkHostname, checkLocation, checkMemberName, checkOsFamily, checkPublicIpv4, checkPublicIpv6 } from './validate'

export const ENROLLMENT_HOURS = 24

export type MemberInput = {
  name?: unknown
  hostname?: unknown
  egressIps?: unknown
  publicIpv4?: unknown
  publicIpv6?: unknown
  osFamily?: unknown
}

export function installCommand(publicUrl: string, secret: string): string {
  return `curl -fsSL ${publicUrl}/install.sh | sudo bash -s -- --server ${publicUrl} --secret ${secret}`
}

/** Where install commands point agents, and the box their secrets are kept sealed in until used. */
export type Enroller = { publicUrl: string; secrets: SecretBox }

export type Enrollment = { secret: string; expiresAt: Date; installCommand: string }

/**
 * A new one-time secret for the member, voiding any older one. The member's
 * id leads the secret so that a refused enrolment can still be shown on it.
 * Besides its hash the secret is kept sealed, so the member's install page
 * can show the command again (a reload, a second look) until it is used,
 * replaced or expired; then the sealed copy is erased.
 */
export async function issueEnrollment(db: Db, memberId: string, enroller: Enroller, now = new Date()): Promise<Enrollment> {
  const secret = `${memberId}.${newSecret()}`
  const expiresAt = new Date(now.getTime() + ENROLLMENT_HOURS * 3_600_000)
  await store.voidSecrets(db, memberId, now)
  await store.insertSecret(db, { id: newId('enr'), memberId, secretHash: sha256(secret), secretSealed: enroller.secrets.seal(secret), expiresAt, createdAt: now })
  return { secret, expiresAt, installCommand: installCommand(enroller.publicUrl, secret) }
}

/** What the member's install page can say: the command still waiting to be used, or why there is none. */
export type InstallState =
  | { kind: 'waiting'; enrollment: Enrollment }
  | { kind: 'enrolled'; at: Date }
  | { kind: 'expired'; at: Date }
  | { kind: 'unreadable' }
  | { kind: 'none' }

export async function installState(db: Db, member: Pick<store.Member, 'id' | 'enrolledAt'>, enroller: Enroller, now = new Date()): Promise<InstallState> {
  const last = await store.latestSecret(db, member.id)
  const live = last && !last.usedAt && !last.voidedAt && last.expiresAt > now
  // An enrolled member may be given a new command (a rebuilt server): that one shows.
  if (!live && member.enrolledAt) return { kind: 'enrolled', at: member.enrolledAt }
  if (!last || last.usedAt || last.voidedAt) return { kind: 'none' }
  if (last.expiresAt <= now) return { kind: 'expired', at: last.expiresAt }
  // Issued before commands were kept, or sealed under another SECRET_KEY.
  const secret = last.secretSealed ? openOrNull(enroller.secrets, last.secretSealed) : null
  if (!secret) return { kind: 'unreadable' }
  return { kind: 'waiting', enrollment: { secret, expiresAt: last.expiresAt, installCommand: installCommand(enroller.publicUrl, secret) } }
}

function openOrNull(box: SecretBox, sealed: string): string | null {
  try {
    return box.open(sealed)
  } catch {
    return null
  }
}

/** Erases the sealed copies no page may show any more (used, replaced or expired); the hashes stay. */
export const forgetSpentInstallCommands = (db: Db, now = new Date()) => store.eraseSpentSealedSecrets(db, now)

export async function addMember(db: Db, actor: Actor, poolId: string, input: MemberInput, enroller: Enroller) {
  const pool = await getPool(db, poolId)
  const fields = fieldChecks()
  const name = fields.check(() => checkMemberName(input.name))
  const hostname = fields.check(() => checkHostname(input.hostname))
  const egressIps = fields.check(() => checkEgressIps(input.egressIps))
  const publicIp = fields.check(() => checkPublicIpv4(input.publicIpv4))
  const osFamily = fields.check(() => checkOsFamily(input.osFamily))
  fields.done()
  const publicIpv4 = publicIp ?? egressIps[0]!
  const member = await store.insertMember(db, { id: newId('mem'), poolId, name, hostname, egressIps, publicIpv4, osFamily })
  const enrollment = await issueEnrollment(db, member.id, enroller)
  await recordAudit(db, actor, {
    action: 'member.add',
    targetType: 'member',
    targetId: member.id,
    targetLabel: name,
    poolId,
    detail: { hostname, egressIps, publicIpv4, pool: pool.name },
  })
  return { member, enrollment }
}

export async function getMember(db: Db, id: string, poolId?: string) {
  const member = await store.findMember(db, id)
  if (!member || (poolId && member.poolId !== poolId)) throw notFound('Member')
  return member
}

export async function newInstallCommand(db: Db, actor: Actor, id: string, enroller: Enroller) {
  const member = await getMember(db, id)
  const enrollment = await issueEnrollment(db, id, enroller)
  await recordAudit(db, actor, {
    action: 'member.enrollment.reissue',
    targetType: 'member',
    targetId: id,
    targetLabel: member.name,
    poolId: member.poolId,
  })
  return { member, enrollment }
}

export type MemberPatch = MemberInput & { location?: { lat?: unknown; lon?: unknown; label?: unknown } | null }

export async function updateMember(db: Db, actor: Actor, id: string, patch: MemberPatch) {
  const member = await getMember(db, id)
  const changes = checkMemberPatch(member, patch)
  if (Object.keys(changes).length === 0) return member
  const updated = (await store.updateMember(db, id, changes))!
  // Its agent's next call sees the new egress addresses, not a cached row.
  agentTokens(db).forget()
  await recordAudit(db, actor, {
    action: 'member.update',
    targetType: 'member',
    targetId: id,
    targetLabel: updated.name,
    poolId: member.poolId,
    detail: changes as Record<string, unknown>,
  })
  return updated
}

function checkMemberPatch(member: store.Member, patch: MemberPatch): Partial<store.Member> {
  const fields = fieldChecks()
  const changes: Partial<store.Member> = {}
  if (patch.name !== undefined) changes.name = fields.check(() => checkMemberName(patch.name))
  if (patch.hostname !== undefined) changes.hostname = fields.check(() => checkHostname(patch.hostname))
  if (patch.egressIps !== undefined) changes.egressIps = fields.check(() => checkEgressIps(patch.egressIps))
  const publicIp = patch.publicIpv4 === undefined ? undefined : fields.check(() => checkPublicIpv4(patch.publicIpv4))
  if (patch.publicIpv6 !== undefined) changes.publicIpv6 = fields.check(() => checkPublicIpv6(patch.publicIpv6))
  if (patch.location !== undefined) changes.location = fields.check(() => checkLocation(patch.location))
  fields.done()
  if (patch.publicIpv4 !== undefined) changes.publicIpv4 = publicIp ?? (changes.egressIps ?? member.egressIps)[0]!
  return changes
}

/** Detaches the server: its row, token and history go; the server is not touched. */
export async function removeMember(db: Db, actor: Actor, id: string, confirmName?: unknown) {
  const member = await getMember(db, id)
  if (confirmName !== undefined) checkConfirmName(confirmName, member.name, 'member')
  await store.deleteMember(db, id)
  agentTokens(db).forget()
  await recordAudit(db, actor, {
    action: 'member.remove',
    targetType: 'member',
    targetId: id,
    targetLabel: member.name,
    poolId: member.poolId,
    detail: { hostname: member.hostname },
  })
  return member
}

export const listMembers = (db: Db, poolId: string) => store.listMembers(db, poolId)

/** The member as the API answers it (CONTRACT.md `member`); "down" counts from the pool's failover delay. */
export function memberJson(m: store.Member, now = new Date()) {
  const state = (m.hostState ?? {}) as {
    cpuPercent?: number | null
    load?: number[] | null
    memory?: { totalBytes: number; usedBytes: number } | null
    disks?: { totalBytes: number; usedBytes: number }[]
  }
  const disks = state.disks ?? []
  const os = (m.os ?? {}) as Record<string, unknown>
  return {
    id: m.id,
    poolId: m.poolId,
    name: m.name,
    hostname: m.hostname,
    egressIps: m.egressIps,
    publicIpv4: m.publicIpv4,
    publicIpv6: m.publicIpv6 ?? null,
    location: m.location ?? null,
    status: memberStatus(m, now),
    lastHeartbeatAt: m.lastHeartbeatAt?.toISOString() ?? null,
    enrolledAt: m.enrolledAt?.toISOString() ?? null,
    agentVersion: m.agentVersion,
    os: {
      id: (os.id as string) ?? null,
      versionId: (os.versionId as string) ?? null,
      family: (os.family as string) ?? m.osFamily ?? null,
      prettyName: (os.prettyName as string) ?? null,
    },
    stacks: storedStacks(m.stacks),
    metrics: {
      cpuPercent: state.cpuPercent ?? null,
      memUsedBytes: state.memory?.usedBytes ?? null,
      memTotalBytes: state.memory?.totalBytes ?? null,
      diskUsedBytes: disks.length ? disks.reduce((n, d) => n + d.usedBytes, 0) : null,
      diskTotalBytes: disks.length ? disks.reduce((n, d) => n + d.totalBytes, 0) : null,
      load1: state.load?.[0] ?? null,
    },
    heartbeatSeconds: HEARTBEAT_SECONDS,
  }
}

export type MemberJson = ReturnType<typeof memberJson>
