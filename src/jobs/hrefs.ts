// The addresses of the job pages, in one place for routes and views.
import { memberTabHref } from '../members/tabs'
import type { JobName } from '../../agent/jobs/catalogue'

export const cronTabHref = (poolId: string, memberId: string) => memberTabHref(poolId, memberId, 'jobs')
export const jobHref = (poolId: string, memberId: string, jobId: string) => `${cronTabHref(poolId, memberId)}/${jobId}`
export const jobLiveHref = (poolId: string, memberId: string, jobId: string, after: number, tag: string) =>
  `${jobHref(poolId, memberId, jobId)}/live?after=${after}&tag=${encodeURIComponent(tag)}`
export const schedulesHref = (poolId: string, memberId: string) => `${cronTabHref(poolId, memberId)}/schedules`
export const scheduleHref = (poolId: string, memberId: string, scheduleId: string) => `${schedulesHref(poolId, memberId)}/${scheduleId}`
export const timelineHref = (poolId: string, memberId: string, tag: string) => `${cronTabHref(poolId, memberId)}/timeline?tag=${encodeURIComponent(tag)}`
export const runsHref = (poolId: string) => `/pools/${poolId}/runs`
export const runHref = (poolId: string, runId: string) => `${runsHref(poolId)}/${runId}`
/** A recipe's card on the Recipes tab: its element id, so other tabs can link straight to it. */
export const recipeAnchor = (name: JobName) => `recipe-${name.slice('recipe.'.length).replaceAll('_', '-')}`
export const recipeHref = (poolId: string, memberId: string, name: JobName) => `${memberTabHref(poolId, memberId, 'recipes')}#${recipeAnchor(name)}`
