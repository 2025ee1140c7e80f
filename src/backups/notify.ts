// A failed restore drill becomes an email: the outcome writes the failure on
// the snapshot, and this step claims each unsent one and mails it once,
// through the pool's alert recipients and the alert history.
import type { Deps } from '../server/deps'
import { sendMail } from '../mail'
import { renderAlertMail } from '../alerts/email'
import { poolAlerts } from '../alerts/settings'
import * as alertStore from '../alerts/store'
import { memberTabHref } from '../members/tabs'
import * as store from './store'

export async function notifyDrillFailures(deps: Deps, now = new Date()): Promise<number> {
  const claimed = await store.claimDrillNotice(deps.db, now)
  if (!claimed.length) return 0
  const accounts = await alertStore.accountEmails(deps.db)
  for (const snap of claimed) {
    const settings = await poolAlerts(deps.db, snap.poolId)
    const to = [...new Set([...(settings.notifyAccount ? accounts : []), ...settings.recipients])]
    const tables = Object.keys(snap.tables ?? {})
    const mail = renderAlertMail({
      to,
      event: 'fired',
      subject: `${snap.memberName}: restore drill failed for database ${snap.source}`,
      lines: [
        `Member: ${snap.memberName}`,
        `Database: ${snap.source}`,
        `Snapshot: ${snap.id}, taken ${snap.createdAt.toISOString()}`,
        `Tables recorded at backup: ${tables.length ? tables.slice(0, 50).join(', ') + (tables.length > 50 ? ', …' : '') : 'none'}`,
        `What went wrong: ${snap.drillProblem ?? 'no reason given'}`,
        `Drill failed: ${snap.drillFailedAt?.toISOString() ?? now.toISOString()}`,
      ],
      link: snap.memberId ? `${deps.config.publicUrl}${memberTabHref(snap.poolId, snap.memberId, 'backups')}` : null,
    })
    const delivery = await sendMail(deps, mail)
    await alertStore.insertHistory(deps.db, { poolId: snap.poolId, memberId: snap.memberId, kind: 'backup.drill', event: 'fired', at: now, summary: mail.subject, recipients: to, delivery })
  }
  return claimed.length
}
