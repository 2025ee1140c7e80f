import type { MemberView } from '../MemberWorkspace'
import { Card, EmptyState } from '../../components/ui'

const TEXT: Record<string, { title: string; body: string }> = {
  jobs: {
    title: 'No schedules or jobs yet',
    body: 'Scheduled tasks (stack backups, updates) and the timeline of jobs run on this server show here.',
  },
  recipes: {
    title: 'No recipes run on this server',
    body: 'Guided install and harden flows run here as jobs with visible steps. Only ever use install recipes on clean servers.',
  },
}

/** A tab whose features have not been built yet: an honest empty state. */
export function PlannedTab({ view }: { view: MemberView }) {
  const text = TEXT[view.tab] ?? { title: 'Nothing here yet', body: '' }
  return (
    <Card>
      <EmptyState title={text.title}>
        <p safe>{text.body}</p>
      </EmptyState>
    </Card>
  )
}
