// A job's title inside a sentence, and the refusal for a job the catalogue
// does not hold: words a person reads, not catalogue ids.
import { midSentence } from '../../agent/jobs/words'
import { catalogue, isJobName } from '../../agent/jobs/catalogue'
import { badInput } from '../http/errors'

/** "List SSH authorized keys" as it reads after "To ": "list SSH authorized keys". */
export const titleInSentence = midSentence

/** The refusal for a job name that is empty or not in the catalogue. */
export function noSuchJob(name: unknown) {
  const given = typeof name === 'string' ? name.trim() : ''
  return badInput(given ? `There is no job called "${given.slice(0, 100)}". GET /api/v1/jobs/catalogue lists them.` : 'Choose a job.', 'name')
}

/**
 * A job as lists name it: its catalogue title, and for a job about one cPanel
 * account the account ("Suspend a cPanel account: bob"), so a member's
 * history says which account each line was about.
 */
export function jobTitle(name: string, params?: Record<string, unknown> | null): string {
  const title = isJobName(name) ? catalogue[name].title : name
  const user = params?.user
  const aboutAccount = name.startsWith('cpanel.account.') || name === 'backup.cpanel_account'
  return aboutAccount && typeof user === 'string' && user ? `${title}: ${user}` : title
}
