// A job's title inside a sentence, and the refusal for a job the catalogue
// does not hold: words a person reads, not catalogue ids.
import { midSentence } from '../../agent/jobs/words'
import { badInput } from '../http/errors'

/** "List SSH authorized keys" as it reads after "To ": "list SSH authorized keys". */
export const titleInSentence = midSentence

/** The refusal for a job name that is empty or not in the catalogue. */
export function noSuchJob(name: unknown) {
  const given = typeof name === 'string' ? name.trim() : ''
  return badInput(given ? `There is no job called "${given.slice(0, 100)}". GET /api/v1/jobs/catalogue lists them.` : 'Choose a job.', 'name')
}
