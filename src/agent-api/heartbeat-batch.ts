// Heartbeats are written in batches: one statement stores every heartbeat
// that arrived while the previous statement ran (group commit), and each
// agent is answered once the statement holding its heartbeat has committed.
// Under light load a batch is one heartbeat and adds no wait; under heavy
// load batches grow, so the database does one round trip for hundreds of
// members instead of three for each.
import { sql } from 'drizzle-orm'
import type { Db } from '../db'

/** What one heartbeat writes: the member's row and its minute of history. */
export type StoredBeat = {
  memberId: string
  at: Date
  ip: string | null
  agentVersion: string
  os: unknown
  stacks: unknown
  apps: unknown
  hostState: unknown
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

export type HeartbeatBatcher = {
  submit: (beat: StoredBeat) => Promise<BeatResult>
  /** Writes what is queued and waits for every statement in flight (shutdown). */
  drain: () => Promise<void>
  /** Heartbeats waiting and batches in flight, for /metrics. */
  depth: () => { queued: number; inFlight: number }
}

/**
 * `concurrency`: statements in flight at once. PGlite has one connection, so
 * more would only queue inside it; PostgreSQL takes a few side by side.
 */
export function heartbeatBatcher(db: Db, opts: { concurrency: number }): HeartbeatBatcher {
  let queue: Waiting[] = []
  let inFlight = 0
  const idle: (() => void)[] = []

  const flush = () => {
    while (queue.length && inFlight < opts.concurrency) {
      const batch = queue.slice(0, MAX_BATCH)
      queue = queue.slice(batch.length)
      inFlight++
      void writeBatch(db, batch.map((w) => w.beat))
        .then((results) => batch.forEach((w, i) => w.resolve(results[i]!)))
        .catch((err) => batch.forEach((w) => w.reject(err)))
        .finally(() => {
          inFlight--
          if (queue.length) flush()
          else if (!inFlight) idle.splice(0).forEach((done) => done())
        })
    }
  }

  return {
    submit(beat) {
      return new Promise<BeatResult>((resolve, reject) => {
        queue.push({ beat, resolve, reject })
        flush()
      })
    },
    drain() {
      if (!queue.length && !inFlight) return Promise.resolve()
      return new Promise<void>((done) => idle.push(done))
    },
    depth: () => ({ queued: queue.length, inFlight }),
  }
}

const rowsOf = (result: unknown) => ((result as { rows?: unknown[] }).rows ?? (result as unknown[])) as { id: string }[]

/**
 * One statement for the whole batch. A member heard twice in one batch keeps
 * its latest heartbeat (the others are answered as stored: nothing they said
 * is newer). The run of health (healthy_since) restarts when the heartbeat
 * comes after the member's late deadline, as it stood before this heartbeat
 * (the right-hand side of SET reads the row before the update): the rule the
 * status badge reads. A member removed meanwhile is simply not updated, and
 * gets no history. The rows travel as one jsonb value: PostgreSQL parses it
 * once, where json_to_recordset would parse every member's state again.
 */
async function writeBatch(db: Db, beats: StoredBeat[]): Promise<BeatResult[]> {
  const latest = new Map<string, StoredBeat>()
  for (const b of beats) {
    const seen = latest.get(b.memberId)
    if (!seen || seen.at.getTime() <= b.at.getTime()) latest.set(b.memberId, b)
  }
  const rows = [...latest.values()].map((b) => ({
    id: b.memberId,
    at: b.at.toISOString(),
    ip: b.ip,
    agent_version: b.agentVersion,
    os: b.os,
    stacks: b.stacks,
    apps: b.apps,
    host_state: b.hostState,
    summary: b.summary,
    minute: b.metric.minute.toISOString(),
    cpu: b.metric.cpuPercent,
    mem_used: b.metric.memUsedBytes,
    mem_total: b.metric.memTotalBytes,
    disk_used: b.metric.diskUsedBytes,
    disk_total: b.metric.diskTotalBytes,
    load1: b.metric.load1,
  }))
  const result = await db.execute(sql`
    with v as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
        id text, at timestamptz, ip text, agent_version text, os jsonb, stacks jsonb, apps jsonb, host_state jsonb, summary jsonb,
        minute timestamptz, cpu real, mem_used bigint, mem_total bigint, disk_used bigint, disk_total bigint, load1 real)
    ), stored as (
      update members m set
        last_heartbeat_at = v.at, last_heartbeat_ip = v.ip, agent_version = v.agent_version,
        os = v.os, stacks = v.stacks, apps = v.apps, host_state = v.host_state, summary = v.summary,
        healthy_since = case when m.late_at is null or m.healthy_since is null or v.at > m.late_at then v.at else m.healthy_since end
      from v
      where m.id = v.id
      returning m.id
    ), history as (
      insert into member_metrics (member_id, minute, cpu_percent, mem_used_bytes, mem_total_bytes, disk_used_bytes, disk_total_bytes, load1)
      select v.id, v.minute, v.cpu, v.mem_used, v.mem_total, v.disk_used, v.disk_total, v.load1 from v join stored on stored.id = v.id
      on conflict (member_id, minute) do update set
        cpu_percent = excluded.cpu_percent, mem_used_bytes = excluded.mem_used_bytes, mem_total_bytes = excluded.mem_total_bytes,
        disk_used_bytes = excluded.disk_used_bytes, disk_total_bytes = excluded.disk_total_bytes, load1 = excluded.load1
    )
    select id from stored
  `)
  const stored = new Set(rowsOf(result).map((r) => r.id))
  return beats.map((b) => ({ stored: stored.has(b.memberId) }))
}
