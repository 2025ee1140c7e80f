import type { PropsWithChildren } from '@kitajs/html'
import type { MemberView } from '../MemberWorkspace'
import { catalogueEntry, type JobName } from '../../../agent/jobs/catalogue'
import { recipeHref } from '../../../src/jobs/hrefs'

/**
 * The frosted "not detected" overlay of a stack tab, with the way to get the
 * stack: its install recipe's card on the Recipes tab, which runs it or says
 * why it cannot run here. A plain link: the page loads and scrolls to the card.
 */
export function NotDetected({ stack, install, view, children }: PropsWithChildren<{ stack: string; install: JobName; view: MemberView }>) {
  const m = view.card.member
  return (
    <div class="frosted">
      <div class="frosted-body" aria-hidden="true">
        <div class="ghost-card"></div>
        <div class="ghost-card"></div>
      </div>
      <div class="frosted-message">
        <p class="empty-title" safe>{`${stack} not detected`}</p>
        <div class="empty-body">
          {children}
          <a class="button" href={recipeHref(m.poolId, m.id, install)} data-recipe={install} safe>
            {catalogueEntry(install).title}
          </a>
          <p class="hint">A recipe on the Recipes tab: it shows its steps before it runs, and runs on clean servers only.</p>
        </div>
      </div>
    </div>
  )
}
