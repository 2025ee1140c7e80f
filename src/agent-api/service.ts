// What the server does with an agent's enrolment and heartbeats. A refusal
// changes nothing but the activity of the member whose secret or token it
// was, so the operator sees why.
import { isEmbedded, type Db } from '../db'
import { recordAudit } from '../audit/service'
import { newSecret, sha256 } from '../crypto/tokens'
import { HttpError } from '../http/errors'
import { attemptSucceeded, takeAttempt } from '../throttle/service'
import * as members from '../members/store'
import { HEARTBEAT_SECONDS } from '../members/status'
import type { HeartbeatBody } from './schema'
import { summarize } from '../members/summary'
import { heartbeatBatcher, inventoryFingerprint, type HeartbeatBatcher, type StoredBeat } from './heartbeat-batch'
import { agentTokens } from './token-cache'

export const AGENT_TOKEN_PREFIX = 'sctla_'

type Refusal = { status: number; code: string; message: string }

/** Only for a secret this server issued: a made-up one names no member, whatever it looks like. */
async function refuse(db: Db, memberId: string, ip: string | null, r: Refusal): Promise<never> {
  await members.insertEvent(db, { memberId, kind: `enroll.${r.code}`, level: 'error', message: r.message, ip })
  throw new HttpError(r.status, r.code, r.message)
}

/**
 * Enrolment attempts per client address. Guessing a secret is hopeless, but
 * each guess costs a lookup; a fleet behind one NAT enrolling many servers
 * fits, since a successful enrolment takes its attempt back. Attempts in
 * flight count before any is taken back, so the limit is also how many
 * servers one address can enrol at the same moment: room for a playbook
 * that enrols a hundred at once.
 */
export const ENROLL_ATTEMPTS = { limit: 100, windowMs: 15 * 60_000 }
export const enrollAttemptKey = (ip: string | null) => `enroll:${ip ?? 'unknown'}`

const sameHost = (a: string, b: string) => a.trim().toLowerCase().replace(/\.$/, '') === b.trim().toLowerCase().replace(/\.$/, '')

export async function enroll(
  db: Db,
  input: { secret: string; hostname: string; agentVersion: string; os: Record<string, unknown> },
  ip: string | null,
  now = new Date(),
) {
  const attemptKey = enrollAttemptKey(ip)
  await takeAttempt(db, [{ key: attemptKey, ...ENROLL_ATTEMPTS }], 'enrolment attempts from this address', now)
  const reissue = 'Use "New install command" on the member\'s Settings tab and run the new command.'
  const row = await members.findSecret(db, sha256(input.secret))
  if (!row) throw new HttpError(401, 'secret_invalid', `Enrolment refused: the secret is not valid. ${reissue}`)
  if (row.usedAt) return refuse(db, row.memberId, ip, { status: 401, code: 'secret_used', message: `Enrolment refused: this secret was already used. ${reissue}` })
  if (row.voidedAt) return refuse(db, row.memberId, ip, { status: 401, code: 'secret_replaced', message: `Enrolment refused: this secret was replaced by a newer install command. Run the newest one.` })
  if (row.expiresAt <= now) return refuse(db, row.memberId, ip, { status: 401, code: 'secret_expired', message: `Enrolment refused: the secret expired at ${row.expiresAt.toISOString()}. ${reissue}` })

  const member = (await members.findMember(db, row.memberId))!
  if (!ip || !member.egressIps.includes(ip)) {
    return refuse(db, member.id, ip, {
      status: 403,
      code: 'address_not_allowed',
      message: `Enrolment refused: the request came from ${ip ?? 'an unknown address'}, which is not one of this member's allowed egress IPs (${member.egressIps.join(', ')}).`,
    })
  }
  if (!sameHost(input.hostname, member.hostname)) {
    return refuse(db, member.id, ip, {
      status: 403,
      code: 'hostname_mismatch',
      message: `Enrolment refused: the server reports hostname "${input.hostname}" but this member expects "${member.hostname}". Fix the member's hostname, or set BALCTL_HOSTNAME=${member.hostname} for the agent.`,
    })
  }
  if (!(await members.consumeSecret(db, row.id, now))) {
    return refuse(db, member.id, ip, { status: 401, code: 'secret_used', message: `Enrolment refused: this secret was already used. ${reissue}` })
  }
  await attemptSucceeded(db, { uncount: [attemptKey] })
  // A member enrolling again replaces its token: the old one stops working here at once.
  agentTokens(db).forget()
  const token = newSecret(AGENT_TOKEN_PREFIX)
  await members.updateMember(db, member.id, {
    tokenHash: sha256(token),
    enrolledAt: now,
    agentVersion: input.agentVersion,
    os: input.os,
    inventoryFingerprint: null,
  })
  await members.insertEvent(db, { memberId: member.id, kind: 'enrolled', level: 'info', message: `Agent ${input.agentVersion} enrolled from ${ip}.`, ip })
  await recordAudit(db, { userId: null, label: `agent on ${member.hostname}`, ip }, {
    action: 'member.enroll',
    targetType: 'member',
    targetId: member.id,
    targetLabel: member.name,
    poolId: member.poolId,
  })
  return { memberId: member.id, poolId: member.poolId, token, heartbeatSeconds: HEARTBEAT_SECONDS }
}

/**
 * The member an agent token belongs to. Read through a cache of a few
 * seconds: every agent calls several times a minute, and a token replaced or
 * removed on another replica stops working within the cache's lifetime.
 */
export async function memberFromAgentToken(db: Db, token: string) {
  return agentTokens(db).find(sha256(token))
}

/** Why a call from this address is not the member's agent, or null when it may be. */
export function foreignAddress(member: Pick<members.Member, 'egressIps'>, ip: string | null): string | null {
  if (ip && member.egressIps.includes(ip)) return null
  return `it came from ${ip ?? 'an unknown address'}, not one of the allowed egress IPs (${member.egressIps.join(', ')}).`
}

// A refused heartbeat repeats every interval; the activity says it once in a while.
const REPEAT_EVENT_MS = 10 * 60_000

async function noteOnce(db: Db, memberId: string, kind: string, message: string, ip: string | null, now: Date) {
  const [last] = await members.listEvents(db, memberId, 1)
  if (last && last.kind === kind && now.getTime() - last.at.getTime() < REPEAT_EVENT_MS) return
  await members.insertEvent(db, { memberId, kind, level: 'error', message, ip })
}

const minuteOf = (d: Date) => new Date(Math.floor(d.getTime() / 60_000) * 60_000)

/** CPU and load go into real columns, which refuse a value too small for them (1e-300): hundredths are all anyone reads. */
const hundredths = (n: number | null | undefined) => (n == null ? null : Math.round(n * 100) / 100)

const batchers = new WeakMap<Db, HeartbeatBatcher>()

export function heartbeatsOf(db: Db): HeartbeatBatcher {
  let batcher = batchers.get(db)
  // PGlite is one connection: more than one statement in flight would only queue inside it.
  if (!batcher) batchers.set(db, (batcher = heartbeatBatcher(db, { concurrency: isEmbedded(db) ? 1 : 2, embedded: isEmbedded(db) })))
  return batcher
}

/** What a heartbeat stores: its inventory apart from the figures that change every time. */
export function storedBeat(memberId: string, body: HeartbeatBody, ip: string | null, now: Date): StoredBeat {
  const { agentVersion, os, stacks, apps, hostname: _h, uptimeSeconds, cpuPercent, load, memory, disks, ...hostState } = body
  const inventory = { os, stacks, apps, hostState }
  return {
    memberId,
    at: now,
    ip,
    agentVersion,
    inventory,
    fingerprint: inventoryFingerprint(inventory),
    stats: { uptimeSeconds, cpuPercent, load, memory, disks },
    summary: summarize(body),
    metric: {
      minute: minuteOf(now),
      cpuPercent: hundredths(cpuPercent),
      memUsedBytes: memory?.usedBytes ?? null,
      memTotalBytes: memory?.totalBytes ?? null,
      diskUsedBytes: disks.length ? disks.reduce((n, d) => n + d.usedBytes, 0) : null,
      diskTotalBytes: disks.length ? disks.reduce((n, d) => n + d.totalBytes, 0) : null,
      load1: hundredths(load?.[0]),
    },
  }
}

export async function heartbeat(db: Db, member: members.MemberRow, body: HeartbeatBody, ip: string | null, now = new Date()) {
  const foreign = foreignAddress(member, ip)
  if (foreign) {
    const message = `Heartbeat refused: ${foreign}`
    await noteOnce(db, member.id, 'heartbeat.address_not_allowed', message, ip, now)
    throw new HttpError(403, 'address_not_allowed', message)
  }
  const { stored } = await heartbeatsOf(db).submit(storedBeat(member.id, body, ip, now))
  // Removed between the token check and the write (on another replica, say).
  if (!stored) throw new HttpError(401, 'unauthorized', 'This agent token is not valid: the member was removed or enrolled again')
  if (!member.lastHeartbeatAt) {
    // The row came from the token cache, shared by this member's next calls:
    // the event is written once whoever asks (a heartbeat on another replica
    // may have been first), and the cached row stops saying "never heard".
    await members.insertFirstHeartbeat(db, member.id, ip)
    member.lastHeartbeatAt = now
  }
  return { ok: true, heartbeatSeconds: HEARTBEAT_SECONDS }
}
