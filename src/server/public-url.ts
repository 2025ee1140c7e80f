// Agents enrol, send heartbeats and fetch the jobs they run as root at
// PUBLIC_URL: on plain http anyone on the path reads and can change all of it.

/** What the log and the Add server page say when PUBLIC_URL is plain http; null on https. */
export function plainHttpWarning(publicUrl: string): string | null {
  if (!publicUrl.startsWith('http://')) return null
  return (
    `The public address ${publicUrl} is plain http: agent tokens, and the jobs agents run as root, travel in clear text ` +
    'between your servers and serversctl. Set PUBLIC_URL to an https:// address (serversctl behind a TLS proxy).'
  )
}

/** Tells browsers to come back only over https; subdomains are the operator's call. */
export const HSTS = 'max-age=31536000'
