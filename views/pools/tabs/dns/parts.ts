// The addresses of the Managed DNS tab's fragments and forms.
export const dnsTabHref = (poolId: string) => `/pools/${poolId}/dns`
export const protectedDnsHref = (poolId: string) => `${dnsTabHref(poolId)}/protected`
export const refreshHref = (poolId: string) => `${protectedDnsHref(poolId)}/refresh`
export const syncAllHref = (poolId: string) => `${protectedDnsHref(poolId)}/sync`
export const addRecordHref = (poolId: string) => `${protectedDnsHref(poolId)}/records`
export const importHref = (poolId: string, id: string) => `${protectedDnsHref(poolId)}/import?account=${encodeURIComponent(id)}`
export const accountHref = (poolId: string, id: string, what: 'sync' | 'settings' | 'proxied' | 'cut') =>
  `${protectedDnsHref(poolId)}/accounts/${encodeURIComponent(id)}/${what}`

/** A refused Add record or Cut DNS: which dialog (and which account's), what was typed, each message by its field. */
export type DnsEcho = { form: 'add' | 'cut'; key: string; values: Record<string, string>; errors: Record<string, string> }

export const echoIn = (echo: DnsEcho | undefined, form: DnsEcho['form'], key = ''): DnsEcho | undefined => (echo?.form === form && echo.key === key ? echo : undefined)
