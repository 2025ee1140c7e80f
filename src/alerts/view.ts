// What the Monitoring tabs show: settings, what fires now, and the history.
import type { Db } from '../db'
import type { AlertForm } from '../../views/alerts/AlertForms'
import { memberAlerts, poolAlerts, type MemberAlerts, type PoolAlerts } from './settings'
import { firingStates, listHistory, type AlertHistoryRow, type AlertStateRow } from './store'

export type AlertSection<S> = { settings: S; firing: AlertStateRow[]; history: AlertHistoryRow[]; form?: AlertForm }

export async function poolAlertSection(db: Db, poolId: string): Promise<AlertSection<PoolAlerts>> {
  const [settings, firing, history] = await Promise.all([poolAlerts(db, poolId), firingStates(db, poolId), listHistory(db, { poolId })])
  return { settings, firing, history }
}

export async function memberAlertSection(db: Db, poolId: string, memberId: string): Promise<AlertSection<MemberAlerts>> {
  const [settings, firing, history] = await Promise.all([memberAlerts(db, memberId), firingStates(db, poolId, memberId), listHistory(db, { poolId, memberId })])
  return { settings, firing, history }
}
