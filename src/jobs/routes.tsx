// The browser's way to queue a job on a member: quick actions, Security
// forms and recipes all post here. Jobs that change a server's state in a big
// way must be confirmed with the server's name.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { formAction, redirectTo, str } from '../http/forms'
import { HttpError } from '../http/errors'
import { getMember } from '../members/service'
import { renderMember } from '../members/routes'
import { MEMBER_TABS, memberTabHref, type MemberTabKey } from '../members/tabs'
import { catalogue, isJobName, type CatalogueEntry } from '../../agent/jobs/catalogue'
import { paramsFromForm } from './form'
import { queueJob } from './service'
import { titleInSentence } from './titles'
import { jobFormEcho } from './member-tabs'

const formBody = t.Record(t.String(), t.String({ maxLength: 8192 }), { maxProperties: 40 })

export const jobPageHref = (poolId: string, memberId: string, jobId: string) => `${memberTabHref(poolId, memberId, 'jobs')}/${jobId}`

const tabOf = (value: string): MemberTabKey => (MEMBER_TABS.find((t) => t.key === value)?.key ?? 'jobs')

export function jobPages(deps: Deps) {
  return new Elysia().use(accessPlugin(deps)).post(
    '/pools/:poolId/members/:memberId/jobs',
    async (ctx) => {
      const { poolId, memberId } = ctx.params
      const member = await getMember(deps.db, memberId, poolId)
      const body = ctx.body
      const name = str(body.name)
      const result = await formAction(async () => {
        const entry: CatalogueEntry | undefined = isJobName(name) ? catalogue[name] : undefined
        if (entry?.confirm && str(body.confirm).trim() !== member.name) {
          throw new HttpError(422, 'not_confirmed', `To ${titleInSentence(entry.title)} on ${member.name}, confirm with the server's name.`, 'confirm')
        }
        return queueJob(deps.db, actorOf(ctx), memberId, name, paramsFromForm(name, body))
      })
      const tab = tabOf(str(body.tab))
      if (result.ok) {
        // after=tab: back to the tab that asked (Security's "Load keys" shows its answer there), else to the job's page.
        const to = str(body.after) === 'tab' ? memberTabHref(poolId, memberId, tab) : jobPageHref(poolId, memberId, result.value.id)
        return redirectTo(ctx, to, `${catalogue[name as keyof typeof catalogue].title}: queued on ${member.name}.`)
      }
      return renderMember(deps, ctx, poolId, memberId, tab, { status: result.status, notice: result.message, jobForm: jobFormEcho(name, body, result) })
    },
    { access: 'user', body: formBody },
  )
}
