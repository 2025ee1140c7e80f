// How a job's declared steps move as the agent reports: a step that starts
// closes the ones before it; a job that ends closes or skips the rest.
import type { JobStatus, JobStep } from '../db/schema'

export type Ending = Exclude<JobStatus, 'queued' | 'running'>

export function startStep(steps: JobStep[], index: number): JobStep[] {
  return steps.map((s, i) => (i < index ? { ...s, state: 'done' } : i === index ? { ...s, state: 'running' } : s))
}

/**
 * The steps as the job ended. The step under way takes the job's ending: a
 * step stopped by a cancel or a timeout did not fail, and the page says so.
 */
export function closeSteps(steps: JobStep[], ending: Ending): JobStep[] {
  return steps.map((s) => {
    if (ending === 'succeeded') return s.state === 'skipped' ? s : { ...s, state: 'done' }
    if (s.state === 'running') return { ...s, state: ending }
    if (s.state === 'pending') return { ...s, state: 'skipped' }
    return s
  })
}

/** Without a figure from the agent, progress is the share of steps done. */
export function progressOfSteps(steps: JobStep[]): number {
  if (steps.length === 0) return 0
  const done = steps.filter((s) => s.state === 'done').length
  return Math.round((done / steps.length) * 100)
}
