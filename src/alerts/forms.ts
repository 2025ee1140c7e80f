// The Monitoring forms' flat fields as alert settings.
import type { MemberAlerts, PoolAlerts } from './settings'

type Body = Record<string, string>
const checked = (b: Body, k: string) => b[k] === 'on'
const threshold = (b: Body, k: string) => ({ enabled: checked(b, `${k}Enabled`), percent: b[`${k}Percent`], minutes: b[`${k}Minutes`] })

export function memberAlertsFromForm(b: Body): Record<keyof MemberAlerts, unknown> {
  return {
    heartbeat: { enabled: checked(b, 'heartbeatEnabled'), afterSeconds: b.heartbeatSeconds },
    cpu: threshold(b, 'cpu'),
    memory: threshold(b, 'memory'),
    disk: threshold(b, 'disk'),
    services: { enabled: checked(b, 'servicesEnabled') },
    tls: { enabled: checked(b, 'tlsEnabled'), days: b.tlsDays },
    recipients: b.recipients ?? '',
    notifyAccount: checked(b, 'notifyAccount'),
    recovery: checked(b, 'recovery'),
  }
}

export function poolAlertsFromForm(b: Body): Record<keyof PoolAlerts, unknown> {
  return {
    anySilent: { enabled: checked(b, 'anySilentEnabled'), afterSeconds: b.anySilentSeconds },
    outdatedAgents: { enabled: checked(b, 'outdatedEnabled') },
    failoverBannerMinutes: b.failoverBannerMinutes,
    failoverEmail: checked(b, 'failoverEmail'),
    failoverRecipients: b.failoverRecipients ?? '',
    recipients: b.recipients ?? '',
    notifyAccount: checked(b, 'notifyAccount'),
    recovery: checked(b, 'recovery'),
  }
}
