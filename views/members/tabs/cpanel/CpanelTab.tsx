// The member's cPanel tab: its inner tabs (Overview, Operations, Accounts,
// Migrate & Recovery) as links, each its own address, and the panel of the
// one in the address. An inner tab link swaps the member panel, so the member
// tab bar keeps "cPanel" marked.
import type { PropsWithChildren } from '@kitajs/html'
import type { MemberView } from '../../MemberWorkspace'
import { CPANEL_INNER_TABS, cpanelHref, type CpanelInnerTab } from '../../../../src/cpanel/model'
import { TabBar } from '../../../components/ui'
import { NotDetected } from '../NotDetected'
import { innerHref, type CpanelPage } from './parts'

export function CpanelTab({ page, inner, children }: PropsWithChildren<{ page: CpanelPage; inner: CpanelInnerTab }>) {
  const tabs = CPANEL_INNER_TABS.map((t) => ({ key: t.key, label: t.label, href: innerHref(page, t.key) }))
  return (
    <div class="stack cpanel-tab" data-inner={inner}>
      <TabBar id="cpanel-tab-bar" label="cPanel sections" class="cpanel-inner-tabs" target="#member-panel" tabs={tabs} current={inner} />
      {children}
    </div>
  )
}

/** Every inner tab while the agent has not found cPanel/WHM here. */
export function CpanelNotDetected({ view }: { view: MemberView }) {
  const m = view.card.member
  // Reached only through a refused form from another tab that named this one.
  if (view.card.stacks.cpanel) {
    return (
      <p>
        <a href={cpanelHref(m.poolId, m.id)}>Open the cPanel tab</a>
      </p>
    )
  }
  return (
    <NotDetected stack="cPanel / WHM" install="recipe.install_cpanel" view={view}>
      <p>This tab fills in when the agent finds cPanel/WHM on this host.</p>
    </NotDetected>
  )
}
