// The addresses of the Managed DNS tab's fragments and forms.
export const dnsTabHref = (poolId: string) => `/pools/${poolId}/dns`
export const protectedDnsHref = (poolId: string) => `${dnsTabHref(poolId)}/protected`
export const refreshHref = (poolId: string) => `${protectedDnsHref(poolId)}/refresh`
export const syncAllHref = (poolId: string) => `${protectedDnsHref(poolId)}/sync`
export const addRecordHref = (poolId: string) => `${protectedDnsHref(poolId)}/records`
export const importHref = (poolId: string, id: string) => `${protectedDnsHref(poolId)}/import?account=${encodeURIComponent(id)}`
export const accountHref = (poolId: string, id: string, what: 'sync' | 'settings' | 'proxied') =>
  `${protectedDnsHref(poolId)}/accounts/${encodeURIComponent(id)}/${what}`
/** The Protection tab's own cut, with its typed confirmation: reused, not copied. */
export const cutHref = (poolId: string, id: string) => `/pools/${poolId}/protection/accounts/${encodeURIComponent(id)}/cut`
