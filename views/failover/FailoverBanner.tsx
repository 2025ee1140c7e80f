import type { FailoverSection } from '../../src/failover/view'
import { describeEvent } from '../../src/failover/words'
import { Notice, Time } from '../components/ui'

/** "Failover active" after a cut, and a louder line while failover is held back. */
export function FailoverBanner({ section }: { section: FailoverSection }) {
  const { state, lastDone, latest } = section.status
  const name = (id: string) => section.names[id] ?? id
  if (state === 'failover_active' && lastDone) {
    return (
      <Notice kind="warn">
        <strong>Failover active</strong> since <Time at={lastDone.completedAt} />. <span safe>{describeEvent(lastDone, name).summary}</span>
      </Notice>
    )
  }
  if (state === 'held_back' && latest) {
    return (
      <Notice kind="error">
        <strong>Active member down.</strong> <span safe>{describeEvent(latest, name).summary}</span>
      </Notice>
    )
  }
  if (state === 'cutting' && latest) {
    return (
      <Notice kind="warn">
        <strong>Cut in progress.</strong> <span safe>{describeEvent(latest, name).summary}</span>
      </Notice>
    )
  }
  return ''
}
