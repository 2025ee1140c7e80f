// Failed calls to the outside services the control plane depends on (DNS
// providers, the backup store), counted at the one place each is built so no
// caller has to remember to.
import type { DnsProvider } from '../dns/provider'
import { StorageError, type ObjectStore } from '../storage'
import type { Metrics } from './index'

type Counts = Pick<Metrics, 'dnsProviderErrors' | 'storageProviderErrors'>

/**
 * The same adapter, its failed calls counted by operation. Methods are bound
 * to the adapter itself, so its own inner calls are not counted twice and a
 * caller that needs the concrete class (Managed DNS's Cloudflare) still has it.
 */
export function countDnsErrors<P extends DnsProvider>(provider: P, kind: string, metrics: Counts | undefined): P {
  if (!metrics) return provider
  return new Proxy(provider, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown
      if (typeof value !== 'function' || typeof prop !== 'string' || prop === 'constructor') return value
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args)
        if (!(result instanceof Promise)) return result
        return result.catch((err: unknown) => {
          metrics.dnsProviderErrors.inc({ provider: kind, operation: prop })
          throw err
        })
      }
    },
  })
}

// Refused input is the caller's, not the store's: only failures of the store itself count.
const theStoresFault = (err: unknown) => !(err instanceof StorageError) || err.code === 'unavailable'

export function countStorageErrors(store: ObjectStore, metrics: Counts): ObjectStore {
  const wrap = <A extends unknown[], R>(operation: string, fn: (...a: A) => Promise<R>) =>
    (...args: A) =>
      fn(...args).catch((err: unknown) => {
        if (theStoresFault(err)) metrics.storageProviderErrors.inc({ provider: store.kind, operation })
        throw err
      })
  // Built on the store itself, so what a kind of store adds (the folder's
  // signed-link check, read by the object routes) is still there.
  return Object.assign(Object.create(store) as ObjectStore, {
    put: wrap('put', store.put.bind(store)),
    get: wrap('get', store.get.bind(store)),
    head: wrap('head', store.head.bind(store)),
    delete: wrap('delete', store.delete.bind(store)),
    stats: wrap('stats', store.stats.bind(store)),
    presignPut: wrap('presignPut', store.presignPut.bind(store)),
    presignGet: wrap('presignGet', store.presignGet.bind(store)),
    list: (prefix?: string) => listCounted(store, prefix, () => metrics.storageProviderErrors.inc({ provider: store.kind, operation: 'list' })),
  })
}

async function* listCounted(store: ObjectStore, prefix: string | undefined, count: () => void) {
  try {
    yield* store.list(prefix)
  } catch (err) {
    if (theStoresFault(err)) count()
    throw err
  }
}
