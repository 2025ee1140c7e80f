// Bounded concurrency for chunk transfers: a few at a time, so memory holds a
// few chunks and the store sees a steady stream instead of a burst.

/** Runs fn over items, at most `limit` at once; the first failure rejects after the running ones settle. */
export async function forEachLimit<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  let failed = null as { error: unknown } | null
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++
      try {
        await fn(items[i]!, i)
      } catch (error) {
        failed ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failed) throw failed.error
}

/** fn over items with at most `limit` running ahead, the results yielded in order. */
export async function* mapOrdered<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): AsyncGenerator<R> {
  const running: Promise<R>[] = []
  let next = 0
  const launch = () => {
    const i = next++
    const p = fn(items[i]!, i)
    p.catch(() => {}) // seen when its turn comes; until then it must not count as unhandled
    running.push(p)
  }
  while (next < items.length && running.length < limit) launch()
  while (running.length) {
    const result = await running.shift()!
    if (next < items.length) launch()
    yield result
  }
}

/** Retries `fn` after failures, waiting base, 2×base, 4×base…; an abort is not retried. */
export async function withRetries<T>(fn: () => Promise<T>, retries: number, baseMs: number, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      if (attempt >= retries || signal?.aborted) throw err
      await Bun.sleep(baseMs * 2 ** attempt)
    }
  }
}
