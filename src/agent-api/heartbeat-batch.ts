// Heartbeats are written in batches: one statement stores every heartbeat
// that arrived while the previous statement ran (group commit), and each
// agent is answered once the statement holding its heartbeat has committed.
// Batches grow with the load, so the database does one round trip and one
// commit for hundreds of members instead of three statements for each.
// A batch waits GATHER_MS for company before it starts: a fleet beating at
// its own pace sends heartbeats one by one, and on PGlite a commit costs
// about 5 ms of the server's own thread whatever it holds (a fleet of 3,000
// at 300 heartbeats/s in batches of one or two kept a core busy). Enough
// heartbeats, or those that queued while a batch ran, start on the next
// turn of the event loop instead.
// Most of a heartbeat is the host's inventory (os, stacks, apps, updates,
// firewall, services, certificates), the same beat after beat. A batch
// carries it only for members whose inventory this server has not seen
// stored (see writeBatch); the rest bring their stats alone.
import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Db } from '../db'
import { rowsOf } from '../db/affected'

/** What one heartbeat writes: the member's row and its minute of history. */
export type StoredBeat = {
  memberId: string
  at: Date
  ip: string | null
  agentVersion: string
  /** What seldom changes; `hostState` is the host state without the stats. */
  inventory: { os: unknown; stacks: unknown; apps: unknown; hostState: Record<string, unknown> }
  /** The inventory's fingerprint (inventoryFingerprint). */
  fingerprint: string
  /** The host state's figures that change every heartbeat (uptime, CPU, load, memory, disks): always stored. */
  stats: Record<string, unknown>
  summary: unknown
  metric: {
    minute: Date
    cpuPercent: number | null
    memUsedBytes: number | null
    memTotalBytes: number | null
    diskUsedBytes: number | null
    diskTotalBytes: number | null
    load1: number | null
  }
}

/** `stored`: false when the member was removed meanwhile. */
export type BeatResult = { stored: boolean }

type Waiting = { beat: StoredBeat; resolve: (r: BeatResult) => void; reject: (err: unknown) => void }

// Past this a batch is split: a statement of a few hundred rows is already
// far cheaper per row than one each, and a bigger one only makes agents wait.
const MAX_BATCH = 1000
/** The smallest batch worth a statement of its own: 16 heartbeats already share one commit. */
const MIN_SHARE = 16
/** How long a batch waits for more heartbeats: small beside a 10 s beat, and far under the 250 ms the issue allows. */
const GATHER_MS = 20
/** Heartbeats enough to start at once: under a flood, waiting would only add latency. */
const ENOUGH = 32

export type HeartbeatBatcher = {
  submit: (beat: StoredBeat) => Promise<BeatResult>
  /** Writes what is queued and waits for every statement in flight (shutdown). */
  drain: () => Promise<void>
}

/**
 * `concurrency`: statements in flight at once. PGlite has one connection, so
 * more would only queue inside it; PostgreSQL takes a few side by side.
 * `embedded`: PGlite (see batchWriter).
 */
export function heartbeatBatcher(db: Db, opts: { concurrency: number; embedded: boolean }): HeartbeatBatcher {
  const write = batchWriter(db, opts.embedded)
  const stored = storedInventories()
  let queue: Waiting[] = []
  let inFlight = 0
  let due: ReturnType<typeof setTimeout> | null = null
  const idle: (() => void)[] = []

  /** `wait`: GATHER_MS for a new heartbeat; none for those that gathered while a batch ran, or for enough of them. */
  const schedule = (wait: number) => {
    if (queue.length >= ENOUGH) wait = 0
    if (due && wait === 0) {
      clearTimeout(due)
      due = null
    }
    due ??= setTimeout(() => {
      due = null
      flush()
    }, wait)
  }

  const flush = () => {
    while (queue.length && inFlight < opts.concurrency) {
      // What is queued is shared among the free statements, so they run side
      // by side: a flood of agents answered together comes back together, and
      // in one batch the server, the database and the agents took turns, each
      // waiting for the other (4,650/s with half the CPUs idle; 6,200/s shared).
      const share = Math.ceil(queue.length / (opts.concurrency - inFlight))
      const batch = queue.slice(0, Math.min(MAX_BATCH, Math.max(MIN_SHARE, share)))
      queue = queue.slice(batch.length)
      inFlight++
      void writeBatch(write, stored, batch.map((w) => w.beat))
        .then((results) => batch.forEach((w, i) => w.resolve(results[i]!)))
        .catch((err) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          inFlight--
          if (queue.length) schedule(0)
          else if (!inFlight) idle.splice(0).forEach((done) => done())
        })
    }
  }

  return {
    submit(beat) {
      return new Promise<BeatResult>((resolve, reject) => {
        queue.push({ beat, resolve, reject })
        schedule(GATHER_MS)
      })
    },
    drain() {
      if (!queue.length && !inFlight) return Promise.resolve()
      return new Promise<void>((done) => idle.push(done))
    },
  }
}

/**
 * One statement for the whole batch, its rows as the one parameter ($1). A
 * member heard twice in one batch keeps its latest heartbeat (the others are
 * answered as stored: nothing they said is newer). A row without its
 * inventory (`whole` false) keeps the member's stored one and merges its
 * stats into the stored host state, and is stored only when the member's row
 * still holds the inventory of that fingerprint: another replica, an
 * enrolment or a restore may have written a different one since. The run of health
 * (healthy_since) restarts when the heartbeat comes after the member's late
 * deadline as it stood before this heartbeat (the right-hand side of SET
 * reads the row before the update): the rule the status badge reads. A
 * member removed meanwhile is simply not updated, and gets no history. The
 * rows travel as one jsonb value: PostgreSQL parses it once, where
 * json_to_recordset would parse every member's state again.
 * The prepared statement's plan is made without seeing a batch, and guesses
 * 100 rows from any set-returning function: it read every member's row to
 * hash-join them (1.2 ms a batch at 5,000 members, more as the fleet grows).
 * `= any(array(...))` has it look the batch's members up by key instead.
 */
const STORE_BEATS = `
  with v as (
    select * from jsonb_to_recordset($1::jsonb) as v(
      id text, at timestamptz, ip text, agent_version text, whole boolean, fingerprint text,
      os jsonb, stacks jsonb, apps jsonb, host_state jsonb, stats jsonb, summary jsonb, minute timestamptz, cpu real, mem_used bigint, mem_total bigint, disk_used bigint, disk_total bigint, load1 real)
  ), stored as (
    update members m set
      last_heartbeat_at = v.at, last_heartbeat_ip = v.ip, agent_version = v.agent_version,
      os = case when v.whole then v.os else m.os end,
      stacks = case when v.whole then v.stacks else m.stacks end,
      apps = case when v.whole then v.apps else m.apps end,
      host_state = case when v.whole then v.host_state else m.host_state end || v.stats,
      inventory_fingerprint = v.fingerprint, summary = v.summary,
      healthy_since = case when m.late_at is null or m.healthy_since is null or v.at > m.late_at then v.at else m.healthy_since end
    from v
    where m.id = v.id and m.id = any(array(select id from v)) and (v.whole or m.inventory_fingerprint = v.fingerprint)
    returning m.id
  ), history as (
    insert into member_metrics (member_id, minute, cpu_percent, mem_used_bytes, mem_total_bytes, disk_used_bytes, disk_total_bytes, load1)
    select v.id, v.minute, v.cpu, v.mem_used, v.mem_total, v.disk_used, v.disk_total, v.load1 from v join stored on stored.id = v.id
    on conflict (member_id, minute) do update set
      cpu_percent = excluded.cpu_percent, mem_used_bytes = excluded.mem_used_bytes, mem_total_bytes = excluded.mem_total_bytes,
      disk_used_bytes = excluded.disk_used_bytes, disk_total_bytes = excluded.disk_total_bytes, load1 = excluded.load1
  )
  select id from stored`

/** postgres.js, which keeps a named statement per connection when asked to prepare. */
type Prepares = { unsafe: (query: string, params: unknown[], opts: { prepare: boolean }) => Promise<unknown> }

/**
 * How a batch reaches the database: a statement prepared once, since
 * planning this one costs as much as writing dozens of heartbeats (about
 * 10 ms on PGlite). postgres.js prepares it on each pooled connection by
 * itself; PGlite has one connection, where it is prepared by name.
 */
export function batchWriter(db: Db, embedded: boolean) {
  let prepared: Promise<unknown> | null = null
  return async (rows: unknown[]) => {
    const json = JSON.stringify(rows)
    if (!embedded) return (db as unknown as { $client: Prepares }).$client.unsafe(STORE_BEATS, [json], { prepare: true })
    prepared ??= db.execute(sql.raw(`prepare serversctl_store_beats(jsonb) as ${STORE_BEATS}`)).catch((err) => {
      prepared = null
      throw err
    })
    await prepared
    // EXECUTE takes no bind parameters: the rows go in as a dollar-quoted
    // literal, under a tag they cannot contain.
    return db.execute(sql.raw(`execute serversctl_store_beats(${dollarQuoted(json)}::jsonb)`))
  }
}

function dollarQuoted(text: string): string {
  let tag = 'beats'
  while (text.includes(`$${tag}$`)) tag = `beats_${randomBytes(6).toString('hex')}`
  return `$${tag}$${text}$${tag}$`
}

/**
 * The fingerprint of a heartbeat's inventory: equal fingerprints, equal
 * inventories. Agents send their fields in one order, so the same inventory
 * serialises the same way; another order only costs a full row once.
 */
export function inventoryFingerprint(inventory: StoredBeat['inventory']): string {
  return Bun.hash(JSON.stringify(inventory)).toString(36)
}

// A bound on what is remembered, as for the token cache: past it, members are simply sent in full once more.
const MAX_REMEMBERED = 100_000

/**
 * The fingerprint of the inventory each member's row held when this server
 * last wrote it. Only a hint of what to send: the statement itself checks the
 * row (STORE_BEATS).
 */
function storedInventories() {
  let byMember = new Map<string, string>()
  return {
    holds: (memberId: string, fingerprint: string) => byMember.get(memberId) === fingerprint,
    remember(memberId: string, fingerprint: string) {
      if (byMember.size >= MAX_REMEMBERED) byMember = new Map()
      byMember.set(memberId, fingerprint)
    },
    forget: (memberId: string) => byMember.delete(memberId),
  }
}
type StoredInventories = ReturnType<typeof storedInventories>

/** The batch statement's row for one heartbeat; `whole`: with its inventory. */
export function beatRow(b: StoredBeat, whole: boolean) {
  return {
    id: b.memberId,
    at: b.at.toISOString(),
    ip: b.ip,
    agent_version: b.agentVersion,
    whole,
    fingerprint: b.fingerprint,
    ...(whole ? { os: b.inventory.os, stacks: b.inventory.stacks, apps: b.inventory.apps, host_state: b.inventory.hostState } : {}),
    stats: b.stats,
    summary: b.summary,
    minute: b.metric.minute.toISOString(),
    cpu: b.metric.cpuPercent,
    mem_used: b.metric.memUsedBytes,
    mem_total: b.metric.memTotalBytes,
    disk_used: b.metric.diskUsedBytes,
    disk_total: b.metric.diskTotalBytes,
    load1: b.metric.load1,
  }
}

/**
 * Rows left out for a stale fingerprint go again, whole, in a second
 * statement: rare, since it takes another writer of the same member's row.
 */
async function writeBatch(write: (rows: unknown[]) => Promise<unknown>, inventories: StoredInventories, beats: StoredBeat[]): Promise<BeatResult[]> {
  const latest = new Map<string, StoredBeat>()
  for (const b of beats) {
    const seen = latest.get(b.memberId)
    if (!seen || seen.at.getTime() <= b.at.getTime()) latest.set(b.memberId, b)
  }
  const unique = [...latest.values()]
  const whole = new Set(unique.filter((b) => !inventories.holds(b.memberId, b.fingerprint)))
  const written = async (batch: StoredBeat[]) => new Set(rowsOf<{ id: string }>(await write(batch.map((b) => beatRow(b, whole.has(b))))).map((r) => r.id))
  const stored = await written(unique)
  const stale = unique.filter((b) => !whole.has(b) && !stored.has(b.memberId))
  if (stale.length) {
    stale.forEach((b) => whole.add(b))
    for (const id of await written(stale)) stored.add(id)
  }
  for (const b of unique) {
    if (stored.has(b.memberId)) inventories.remember(b.memberId, b.fingerprint)
    else inventories.forget(b.memberId)
  }
  return beats.map((b) => ({ stored: stored.has(b.memberId) }))
}
