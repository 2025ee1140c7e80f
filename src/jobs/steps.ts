// How a job's declared steps move as the agent reports: a step that starts
// closes the ones before it; a job that ends closes or skips the rest.
import type { JobStep } from '../db/schema'

export function startStep(steps: JobStep[], index: number): JobStep[] {
  return steps.map((s, i) => (i < index ? { ...s, state: 'done' } : i === index ? { ...s, state: 'running' } : s))
}

export function closeSteps(steps: JobStep[], succeeded: boolean): JobStep[] {
  return steps.map((s) => {
    if (succeeded) return s.state === 'skipped' ? s : { ...s, state: 'done' }
    if (s.state === 'running') return { ...s, state: 'failed' }
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
