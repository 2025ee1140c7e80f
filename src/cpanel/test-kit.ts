// What the cPanel tests share: the backups kit (a served test server, enrolled
// members, running jobs, chunk uploads) with cPanel members and an agent that
// claims and finishes jobs through the agent API.
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import type { CpanelAccount } from '../../agent/protocol'
import { backupKit } from '../backups/test-kit'

export type CpanelKit = Awaited<ReturnType<typeof cpanelKit>>
export type KitMember = { id: string; poolId: string; name: string; token: string }

export function account(user: string, domain: string | null = `${user}.example.com`): CpanelAccount {
  return { user, domain, domains: [], plan: 'default', owner: 'root', suspended: false, diskBytes: 1024 }
}

/** The sample heartbeat's stacks with cPanel holding these accounts. */
export function cpanelStacks(users: (string | CpanelAccount)[], extra: Record<string, unknown> = {}) {
  const accounts = users.map((u) => (typeof u === 'string' ? account(u) : u))
  return { ...sampleHeartbeat().stacks, cpanel: { version: '11.124.0.12', accounts, packages: ['default'], ...extra } }
}

export async function cpanelKit() {
  const k = await backupKit()

  /** A cPanel member (hostname NAME.example.com, egress 127.0.0.1) with these accounts; null: no cPanel. */
  const cpanelMember = (poolId: string, name: string, users: (string | CpanelAccount)[] | null) =>
    k.member(poolId, name, users === null ? sampleHeartbeat().stacks : (cpanelStacks(users) as never))

  async function setAccounts(m: { id: string }, users: (string | CpanelAccount)[], extra: Record<string, unknown> = {}) {
    await k.s.db.update(members).set({ stacks: cpanelStacks(users, extra) as never, inventoryFingerprint: null }).where(eq(members.id, m.id))
  }

  /** The member's agent takes its oldest queued job, as the real one does. */
  async function claim(m: KitMember) {
    const res = await k.agentCall(m.token, '/api/v1/agent/jobs/claim', { waitSeconds: 0 })
    if (res.status !== 200) throw new Error(`claim answered ${res.status}: ${JSON.stringify(res.json)}`)
    return res.json.job as { id: string; name: string; params: Record<string, unknown> } | null
  }

  const finish = (m: KitMember, jobId: string, body: Record<string, unknown>) => k.agentCall(m.token, `/api/v1/agent/jobs/${jobId}/finish`, body)
  const cpanelCall = (m: KitMember, jobId: string, what: 'reveal' | 'credentials', body: unknown) => k.agentCall(m.token, `/api/v1/agent/cpanel/${jobId}/${what}`, body)

  return { ...k, cpanelMember, setAccounts, claim, finish, cpanelCall }
}
