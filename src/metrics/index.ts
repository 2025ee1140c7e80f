// What GET /metrics shows (Prometheus text). One registry per app, never the
// global one: tests build many apps in one process, and each app's counters
// must start at zero. Counters are counted where things happen; the gauges of
// members and jobs are read from the database at each scrape.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Db } from '../db'
import type { Log } from '../server/log'
import { jobsByStatus, membersByStatus } from './store'

const MEMBER_STATUSES = ['pending', 'healthy', 'late', 'down'] as const
const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const

export type Metrics = ReturnType<typeof createMetrics>

/** `processMetrics`: CPU, memory, open files and event-loop lag of this process (the server; tests leave them out). */
export function createMetrics(deps: { db: Db; log: Log }, opts: { processMetrics?: boolean } = {}) {
  const registry = new Registry()
  if (opts.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'serversctl_' })
  const registers = [registry]

  const heartbeatsReceived = new Counter({
    name: 'serversctl_heartbeats_received_total',
    help: 'Agent heartbeats that reached the server, accepted or not',
    registers,
  })
  const heartbeatsRejected = new Counter({
    name: 'serversctl_heartbeats_rejected_total',
    help: 'Agent heartbeats refused, by HTTP status (401 unknown token, 403 foreign address, 413 too large, 422 invalid)',
    labelNames: ['status'] as const,
    registers,
  })
  const failoverTransitions = new Counter({
    name: 'serversctl_failover_transitions_total',
    help: 'Failover cuts completed by this process, by reason (initial, active_down, failback, manual)',
    labelNames: ['reason'] as const,
    registers,
  })
  const dnsProviderErrors = new Counter({
    name: 'serversctl_dns_provider_errors_total',
    help: 'Calls to a DNS provider that failed, by provider kind and operation',
    labelNames: ['provider', 'operation'] as const,
    registers,
  })
  const storageProviderErrors = new Counter({
    name: 'serversctl_storage_provider_errors_total',
    help: 'Backup storage calls that failed in the store itself (not refused input), by store kind and operation',
    labelNames: ['provider', 'operation'] as const,
    registers,
  })
  const requestDuration = new Histogram({
    name: 'serversctl_http_request_duration_seconds',
    help: 'HTTP request durations, by route template (never the raw path), method and status class',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  })

  // A failed read leaves the series out for that scrape rather than showing old numbers as current.
  const readInto = async (gauge: Gauge<'status'>, what: string, read: () => Promise<Map<string, number>>, statuses: readonly string[]) => {
    gauge.reset()
    try {
      const counts = await read()
      for (const status of new Set([...statuses, ...counts.keys()])) gauge.set({ status }, counts.get(status) ?? 0)
    } catch (err) {
      deps.log.error('metrics.collect', `could not count ${what}`, err)
    }
  }
  const members = new Gauge({
    name: 'serversctl_members',
    help: 'Members by health status (pending: never heard from; healthy; late: missed a heartbeat; down: silent past the failover delay)',
    labelNames: ['status'] as const,
    registers,
    collect() {
      return readInto(this, 'members', () => membersByStatus(deps.db), MEMBER_STATUSES)
    },
  })
  // One query for both job gauges: a scrape collects them at the same time and shares it.
  let jobRead: Promise<Map<string, number>> | null = null
  const jobCounts = () => (jobRead ??= jobsByStatus(deps.db).finally(() => (jobRead = null)))
  const jobs = new Gauge({
    name: 'serversctl_jobs',
    help: 'Jobs by status, as kept in the job history',
    labelNames: ['status'] as const,
    registers,
    collect() {
      return readInto(this, 'jobs', jobCounts, JOB_STATUSES)
    },
  })
  const queueDepth = new Gauge({
    name: 'serversctl_jobs_queue_depth',
    help: 'Jobs queued and not yet taken by their agent',
    registers,
    async collect() {
      this.set((await jobCounts().catch(() => null))?.get('queued') ?? 0)
    },
  })

  return { registry, heartbeatsReceived, heartbeatsRejected, failoverTransitions, dnsProviderErrors, storageProviderErrors, requestDuration, members, jobs, queueDepth }
}
