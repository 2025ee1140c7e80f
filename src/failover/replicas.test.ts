// Two real server processes (`bun src/server/main.ts`, scheduler and all) on
// one PostgreSQL database: only the leader acts, an outage makes exactly one
// transition, and when the leader dies the other replica takes over and
// handles the next outage. Needs PostgreSQL (testing/needs.ts).
import { afterAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import {
  httpApi,
  ok,
  secs,
  setupDrill,
  sleep,
  startServerProcess,
  waitFor,
  type Drill,
  type DrillAgent,
  type FailoverEventJson,
  type ServerProcess,
} from '../testing/drill'
import { missingPostgres, testNeeding, TEST_POSTGRES_URL } from '../testing/needs'

const PG_URL = TEST_POSTGRES_URL
const DELAY = 10
/** db/index.ts LEADER_LOCK: the session advisory lock the leader holds. */
const LEADER_LOCK = 727_100_002

const noPostgres = await missingPostgres()

const dbName = `sctl_replicas_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
let admin: ReturnType<typeof postgres> | null = null
let dbCreated = false
const servers: ServerProcess[] = []
let drill: Drill | null = null

afterAll(async () => {
  await drill?.cleanup().catch(() => {})
  await Promise.all(servers.map((s) => s.stop('SIGKILL').catch(() => {})))
  if (admin) {
    if (dbCreated) await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {})
    await admin.end({ timeout: 2 }).catch(() => {})
  }
})

/** The backend pid holding the leader lock in our database, or null. */
async function leaderBackend(): Promise<number | null> {
  const [row] = await admin!`
    select l.pid from pg_locks l join pg_database d on d.oid = l.database
    where l.locktype = 'advisory' and l.objid = ${LEADER_LOCK} and l.granted and d.datname = ${dbName}`
  return row ? Number(row.pid) : null
}

const cutLines = (server: ServerProcess) => server.log().split('\n').filter((l) => l.includes('[failover.cut]'))

describe('two replicas on one PostgreSQL', () => {
  testNeeding(noPostgres)(
    'exactly one transition per outage, and the other replica takes over when the leader dies',
    async () => {
      admin = postgres(PG_URL, { max: 1, onnotice: () => {} })
      await admin.unsafe(`create database ${dbName}`)
      dbCreated = true
      const dbUrl = new URL(PG_URL)
      dbUrl.pathname = `/${dbName}`
      const env = { DATABASE_URL: dbUrl.toString(), SECRET_KEY: `replicas-${crypto.randomUUID()}` }
      // One after the other: two replicas starting at the same moment with ADMIN_* set race
      // in prepareFirstRun (src/auth/service.ts), and the loser exits on a unique violation.
      const one = await startServerProcess(env)
      servers.push(one)
      const two = await startServerProcess(env)
      servers.push(two)
      const api1 = httpApi(one.url)
      const api2 = httpApi(two.url)

      try {
        drill = await setupDrill({ api: api1, serverUrl: one.url, delaySeconds: DELAY })
        const d = drill
        const [a, b] = d.agents as [DrillAgent, DrillAgent]
        const failover2 = async () => ok(await api2('GET', `/api/v1/pools/${d.poolId}/failover`), 'failover on server 2')
        const events2 = async () => ok(await api2('GET', `/api/v1/pools/${d.poolId}/failover/events`), 'events on server 2') as FailoverEventJson[]

        // Initial activation, by whichever replica leads.
        await waitFor(async () => (await failover2()).activeMemberId === a.id, 20_000, 'A to be made active')
        await d.waitForDns(a.publicIpv4, 5000)

        // Outage 1: A stops; one replica cuts, once.
        expect(await a.stop('SIGTERM')).toBe(0)
        const last1 = (await d.lastHeartbeat(a))!.getTime()
        const seen1 = await d.waitForDns(b.publicIpv4, Math.max(1000, last1 + (DELAY + 10) * 1000 - Date.now()))
        console.log(`[replicas] outage 1: dig on the standby ${secs(seen1 - last1 - DELAY * 1000)} s after the delay ran out`)
        expect(seen1 - last1).toBeLessThanOrEqual((DELAY + 3) * 1000)
        await sleep(3000) // room for a second replica's duplicate, were there one
        const after1 = await events2()
        expect(after1.map((e) => `${e.reason}:${e.status}`)).toEqual(['active_down:done', 'initial:done'])
        expect(after1[0]).toMatchObject({ fromMemberId: a.id, toMemberId: b.id, completedAt: expect.any(String) })
        expect(after1[0]!.dnsResult).toMatchObject({ verified: true })
        expect(await d.dig()).toEqual([b.publicIpv4])

        // Exactly one replica acted: the leader.
        const acted = servers.filter((s) => cutLines(s).length > 0)
        expect(acted).toHaveLength(1)
        const leader = acted[0]!
        const other = leader === one ? two : one
        expect(cutLines(leader)).toHaveLength(2)
        console.log(`[replicas] leader was server ${leader === one ? 1 : 2}`)
        const apiOther = httpApi(other.url)
        const leaderPid = await leaderBackend()
        expect(leaderPid).not.toBeNull()

        // The agents move to the surviving replica, then the leader dies. B is the active
        // member: a second B process starts before the first stops, so B never goes quiet.
        await b.moveTo(other.url)
        a.pointAt(other.url)
        const restartedA = new Date()
        a.start()
        d.api = apiOther
        await leader.stop('SIGKILL')
        const killedAt = new Date()
        await waitFor(async () => {
          const pid = await leaderBackend()
          return pid !== null && pid !== leaderPid
        }, 15_000, 'the other replica to take the leader lock')
        await d.waitHeartbeat(b, 30_000, killedAt)

        // A is healthy again; make it active through the surviving replica.
        await d.waitHeartbeat(a, 30_000, restartedA)
        await waitFor(async () => ok(await apiOther('GET', `/api/v1/members/${a.id}`), 'member A').status === 'healthy', 15_000, 'A to be healthy')
        const manual = await apiOther('POST', `/api/v1/pools/${d.poolId}/failover/make-active`, { memberId: a.id })
        expect(manual.status).toBe(200)
        expect(manual.json).toMatchObject({ reason: 'manual', status: 'done', fromMemberId: b.id, toMemberId: a.id })
        await d.waitForDns(a.publicIpv4, 5000)

        // Outage 2: A stops again; the surviving replica cuts, once.
        expect(await a.stop('SIGTERM')).toBe(0)
        const last2 = (await d.lastHeartbeat(a))!.getTime()
        const seen2 = await d.waitForDns(b.publicIpv4, Math.max(1000, last2 + (DELAY + 10) * 1000 - Date.now()))
        console.log(`[replicas] outage 2: dig on the standby ${secs(seen2 - last2 - DELAY * 1000)} s after the delay ran out`)
        expect(seen2 - last2).toBeLessThanOrEqual((DELAY + 3) * 1000)
        await sleep(3000)
        const after2 = await d.events()
        const notes = after2.filter((e) => e.status !== 'done')
        if (notes.length) console.log(`[replicas] (!) notes besides the transitions: ${notes.map((e) => `${e.reason}:${e.status}`).join(', ')}`)
        const transitions = after2.filter((e) => e.status === 'done')
        expect(transitions.map((e) => e.reason)).toEqual(['active_down', 'manual', 'active_down', 'initial'])
        expect(transitions[0]).toMatchObject({ fromMemberId: a.id, toMemberId: b.id, completedAt: expect.any(String) })
        expect(transitions[0]!.dnsResult).toMatchObject({ verified: true })
        // The manual cut ran in the request on `other`; the automatic one in its scheduler.
        expect(cutLines(other).filter((l) => l.includes('(active_down)'))).toHaveLength(1)
        expect(await d.dig()).toEqual([b.publicIpv4])
      } catch (err) {
        const logs = servers.map((s, i) => `--- server ${i + 1} ---\n${s.log().split('\n').slice(-40).join('\n')}`).join('\n')
        throw new Error(`${(err as Error).message}\n${logs}`)
      }
    },
    120_000,
  )
})
