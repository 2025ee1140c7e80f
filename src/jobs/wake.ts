// Wakes an agent's waiting claim the moment a job is queued for it, so a job
// starts within a second instead of at the agent's next poll. In-process
// only: with several replicas on one PostgreSQL, a claim waiting on another
// replica finds the job at its next one-second look (see claimWithin).
type Waiter = () => void

const waiters = new Map<string, Set<Waiter>>()

export function wakeMember(memberId: string): void {
  const set = waiters.get(memberId)
  if (!set) return
  waiters.delete(memberId)
  for (const w of set) w()
}

/** Resolves when the member is woken or after `ms`, whichever comes first. */
export function waitForWake(memberId: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    // An abort event has already been sent: waiting for it would hold the timer and the waiter for the whole time.
    if (signal?.aborted) return resolve()
    let set = waiters.get(memberId)
    if (!set) waiters.set(memberId, (set = new Set()))
    const done = () => {
      clearTimeout(timer)
      set!.delete(done)
      if (set!.size === 0 && waiters.get(memberId) === set) waiters.delete(memberId)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    set.add(done)
    signal?.addEventListener('abort', done, { once: true })
  })
}
