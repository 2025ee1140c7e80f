// Parameter schemas for every catalogue job, and the refusals that depend on
// what the member is (its OS family, the stacks it runs). Both are checked
// before a job is queued: a job that cannot be right never reaches an agent.
import { t, type TSchema } from 'elysia'
import type { JobName } from '../../agent/jobs/catalogue'

export type MemberFacts = {
  family: 'debian' | 'rhel' | null
  firewall: 'ufw' | 'firewalld' | null
  stacks: { openlitespeed: boolean; mariadb: boolean; galera: boolean; cpanel: boolean }
  /** systemd units of the detected stacks, as the heartbeat reports them. */
  serviceUnits: string[]
}

export type JobRule = {
  params: TSchema
  /** A sentence saying why this member cannot take this job, or null. */
  refuse?: (params: any, facts: MemberFacts) => string | null
}

const none = t.Object({}, { additionalProperties: false })

export const jobRules: Record<JobName, JobRule> = {
  'system.updates.check': { params: none },
  'system.updates.install': { params: none },
  'system.reboot': { params: none },
  'system.shutdown': { params: none },
  // Filled in with the handlers: these placeholders refuse everything.
  'service.restart': { params: t.Never() },
  'firewall.enable': { params: t.Never() },
  'firewall.disable': { params: t.Never() },
  'firewall.rule.add': { params: t.Never() },
  'firewall.rule.remove': { params: t.Never() },
  'firewall.backup': { params: t.Never() },
  'ssh.key.list': { params: t.Never() },
  'ssh.key.add': { params: t.Never() },
  'ssh.key.remove': { params: t.Never() },
  'tls.letsencrypt.issue': { params: t.Never() },
  'agent.update': { params: t.Never() },
}
