// Small pieces several member tabs share.
import type { Firewall } from '../../../agent/protocol'
import type { MemberEvent } from '../../../src/members/store'
import type { Activity, ActivityItem } from '../../../src/members/activity'
import { memberTabHref, type MemberTabKey } from '../../../src/members/tabs'
import { Badge, Card, EmptyState, Time } from '../../components/ui'
import { JobStatusBadge } from '../../jobs/parts'

export function FirewallSummary({ firewall }: { firewall?: Firewall | null }) {
  if (!firewall || !firewall.kind) return <span class="muted">no ufw or firewalld found</span>
  return (
    <span>
      <span>{firewall.kind}</span>{' '}
      <Badge tone={firewall.active ? 'ok' : 'warn'}>{firewall.active ? 'active' : 'inactive'}</Badge>{' '}
      <span class="muted" safe>
        {firewall.ruleCount == null ? '' : `${firewall.ruleCount} rules`}
      </span>
    </span>
  )
}

/** The member's own events alone (the Settings tab's refusals). */
export function ActivityList({ events }: { events: MemberEvent[] }) {
  if (events.length === 0) return <EmptyState title="No activity yet" />
  return (
    <ul class="activity" id="member-activity">
      {events.map((e) => (
        <li class={`activity-${e.level}`}>
          <Time at={e.at} /> <span safe>{e.message}</span>
        </li>
      ))}
    </ul>
  )
}

function ActivityLine({ item }: { item: ActivityItem }) {
  return (
    <li class={`activity-${item.level}`} data-source={item.source}>
      <Time at={item.at} />{' '}
      {item.label ? (
        <strong class="activity-label" safe>
          {item.label}
        </strong>
      ) : (
        ''
      )}{' '}
      {item.job ? (
        <span>
          <a href={item.job.href} hx-get={item.job.href} hx-target="#member-panel" hx-push-url="true" safe>
            {item.job.title}
          </a>{' '}
          <JobStatusBadge status={item.job.status} />{' '}
        </span>
      ) : (
        ''
      )}
      <span safe>{item.message}</span>
    </li>
  )
}

const ACTIVITY_TITLES: Partial<Record<MemberTabKey, string>> = { control: 'Recent activity', status: 'Activity' }

/**
 * A page of the member's history with Newer / Older: links to the tab's own
 * URL with ?page=N, which swap only this card in place (and push the URL),
 * or load the whole tab without script.
 */
export function ActivityCard({ activity, poolId, memberId, tab }: { activity: Activity; poolId: string; memberId: string; tab: MemberTabKey }) {
  const pageHref = (page: number) => `${memberTabHref(poolId, memberId, tab)}${page > 1 ? `?page=${page}` : ''}`
  const link = (page: number, rel: 'prev' | 'next', text: string) => (
    <a href={pageHref(page)} rel={rel} class="button small" hx-get={pageHref(page)} hx-target="#member-activity-card" hx-swap="outerHTML" hx-push-url="true" safe>
      {text}
    </a>
  )
  const empty = activity.page > 1 ? 'Nothing older' : 'No activity yet'
  return (
    <Card title={ACTIVITY_TITLES[tab] ?? 'Activity'} id="member-activity-card">
      {activity.items.length === 0 ? (
        <EmptyState title={empty} />
      ) : (
        <ul class="activity" id="member-activity" data-page={String(activity.page)}>
          {activity.items.map((item) => (
            <ActivityLine item={item} />
          ))}
        </ul>
      )}
      {activity.newer || activity.older ? (
        <nav class="pager actions" aria-label="Activity pages">
          {activity.newer ? link(activity.page - 1, 'prev', 'Newer') : ''}
          <span class="muted" safe>{`Page ${activity.page}`}</span>
          {activity.older ? link(activity.page + 1, 'next', 'Older') : ''}
        </nav>
      ) : (
        ''
      )}
    </Card>
  )
}

/** The member's history on the tabs that show it. */
export function MemberActivity({ view }: { view: { activity?: Activity; tab: MemberTabKey; card: { member: { id: string; poolId: string } } } }) {
  if (!view.activity) return ''
  return <ActivityCard activity={view.activity} poolId={view.card.member.poolId} memberId={view.card.member.id} tab={view.tab} />
}
