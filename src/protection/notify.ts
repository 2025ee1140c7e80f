// A failed replication run or a stale account becomes an email: the step
// that wrote its log entry marked it to send, and this step claims each one
// and mails it once, through the pool's alert recipients and the alert
// history, as failed restore drills are (backups/notify.ts).
import type { Deps } from '../server/deps'
import { sendMail } from '../mail'
import { renderAlertMail } from '../alerts/email'
import { poolAlerts } from '../alerts/settings'
import * as alertStore from '../alerts/store'
import * as store from './store'

const protectionHref = (poolId: string) => `/pools/${poolId}/protection`

export async function notifyProtection(deps: Deps, now = new Date()): Promise<number> {
  const claimed = await store.claimNotices(deps.db)
  if (!claimed.length) return 0
  const accounts = await alertStore.accountEmails(deps.db)
  for (const event of claimed) {
    const settings = await poolAlerts(deps.db, event.poolId)
    const to = [...new Set([...(settings.notifyAccount ? accounts : []), ...settings.recipients])]
    const d = (event.detail ?? {}) as Record<string, unknown>
    const user = String(d.user ?? 'an account')
    const subject = event.kind === 'stale' ? `Protection: ${user} is stale` : `Protection: replication of ${user} failed`
    const lines = [
      event.message,
      ...(event.kind === 'failure' ? [`The standby keeps its last good copy. ${d.retryAt ? `It is tried again by ${String(d.retryAt)}; further failures in a row are logged, not mailed, until a copy succeeds.` : 'The account is paused: no run is scheduled.'} Replicate now tries at once.`] : []),
      ...(d.runId ? [`Run: ${String(d.runId)}`] : []),
      ...(event.kind === 'stale' ? [`Last good copy: ${d.lastGoodCopyAt ? String(d.lastGoodCopyAt) : 'never'}`] : []),
      `At: ${event.at.toISOString()}`,
    ]
    const mail = renderAlertMail({ to, event: 'fired', subject, lines, link: `${deps.config.publicUrl}${protectionHref(event.poolId)}` })
    const delivery = await sendMail(deps, mail)
    await alertStore.insertHistory(deps.db, { poolId: event.poolId, memberId: null, kind: `protection.${event.kind}`, event: 'fired', at: now, summary: mail.subject, recipients: to, delivery })
  }
  return claimed.length
}
