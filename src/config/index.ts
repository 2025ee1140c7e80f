// Every setting the server reads from its environment (see CONTRACT.md).
import { resolve } from 'node:path'

export type Config = {
  port: number
  host: string
  dataDir: string
  databaseUrl: string | null
  publicUrl: string
  /** False when PUBLIC_URL was not set and the address was derived from PORT. */
  publicUrlSet: boolean
  secretKey: string | null
  admin: { email: string; password: string; apiToken: string | null } | null
  smtpUrl: string | null
  mailFrom: string
  s3: {
    endpoint: string | null
    bucket: string
    region: string
    accessKeyId: string | null
    secretAccessKey: string | null
    forcePathStyle: boolean
  } | null
  trustProxy: string[]
  /** Cookies carry Secure when the public address is https. */
  secureCookies: boolean
  /** DNS provider and WHM addresses may be loopback or private (a PowerDNS on the LAN). */
  allowPrivateProviderHosts: boolean
  /** A session ends after this long unused, and after this long in all. */
  session: { idleHours: number; maxDays: number }
  /**
   * Where the Cloudflare SDK sends its calls. Never user input (a form field
   * would let a user point the stored token at any address): tests set it to
   * their stand-in through CLOUDFLARE_API_URL.
   */
  cloudflareApiUrl: string | null
  /**
   * The DNS server ("host:port", port 53 when left out) the cPanel tab asks
   * where accounts' domains point, instead of the system's resolvers: a
   * PowerDNS on loopback in tests, a resolver that sees the public zones.
   */
  dnsResolver: string | null
  /** LOG_FORMAT: one JSON object per line for a log collector, or the text lines a person reads. */
  logFormat: LogFormat
  /** METRICS_TOKEN: the bearer token GET /metrics asks for; without it only loopback may read it. */
  metricsToken: string | null
}

export type LogFormat = 'text' | 'json'

export class ConfigError extends Error {}

const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? null : v.trim())

function parsePort(raw: string | null): number {
  if (raw === null) return 3000
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got "${raw}"`)
  }
  return port
}

function parsePublicUrl(raw: string | null, port: number): string {
  const value = raw ?? `http://localhost:${port}`
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an absolute http(s) address, got "${value}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL must start with http:// or https://, got "${value}"`)
  }
  return value.replace(/\/+$/, '')
}

function parseBoolean(name: string, raw: string | null): boolean {
  if (raw === null) return false
  const v = raw.toLowerCase()
  if (['1', 'true', 'yes'].includes(v)) return true
  if (['0', 'false', 'no'].includes(v)) return false
  throw new ConfigError(`${name} must be true or false, got "${raw}"`)
}

function parseNumber(name: string, raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`)
  }
  return n
}

function parseAdmin(env: Record<string, string | undefined>): Config['admin'] {
  const email = blank(env.ADMIN_EMAIL)
  const password = blank(env.ADMIN_PASSWORD)
  const apiToken = blank(env.ADMIN_API_TOKEN)
  if (!email && !password) {
    if (apiToken) throw new ConfigError('ADMIN_API_TOKEN needs ADMIN_EMAIL and ADMIN_PASSWORD')
    return null
  }
  if (!email || !password) throw new ConfigError('ADMIN_EMAIL and ADMIN_PASSWORD go together')
  return { email, password, apiToken }
}

function parseS3(env: Record<string, string | undefined>): Config['s3'] {
  const bucket = blank(env.S3_BUCKET)
  if (!bucket) return null
  return {
    endpoint: blank(env.S3_ENDPOINT),
    bucket,
    region: blank(env.S3_REGION) ?? 'us-east-1',
    accessKeyId: blank(env.S3_ACCESS_KEY_ID),
    secretAccessKey: blank(env.S3_SECRET_ACCESS_KEY),
    forcePathStyle: ['1', 'true', 'yes'].includes((env.S3_FORCE_PATH_STYLE ?? '').toLowerCase()),
  }
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/

/** An IPv4 address or a bracketed IPv6 one, with an optional port: what node:dns setServers takes. */
function parseDnsResolver(raw: string | null): string | null {
  if (raw === null) return null
  const m = /^(?:([0-9.]+)|\[([0-9A-Fa-f:.]+)\])(?::(\d{1,5}))?$/.exec(raw)
  const port = m?.[3] === undefined ? 53 : Number(m[3])
  const v6ok = m?.[2] !== undefined && m[2].includes(':')
  if (!m || (m[1] !== undefined && !IPV4.test(m[1])) || (m[2] !== undefined && !v6ok) || port < 1 || port > 65535) {
    throw new ConfigError(`DNS_RESOLVER must be an IP address with an optional port, like 127.0.0.1:5353 or [::1]:53, got "${raw}"`)
  }
  return m[1] !== undefined ? `${m[1]}:${port}` : `[${m[2]}]:${port}`
}

function parseLogFormat(raw: string | null): LogFormat {
  if (raw === null) return 'text'
  const v = raw.toLowerCase()
  if (v === 'text' || v === 'json') return v
  throw new ConfigError(`LOG_FORMAT must be json (one JSON object per line) or text, got "${raw}"`)
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const port = parsePort(blank(env.PORT))
  const publicUrl = parsePublicUrl(blank(env.PUBLIC_URL), port)
  return {
    port,
    host: blank(env.HOST) ?? '0.0.0.0',
    dataDir: resolve(blank(env.DATA_DIR) ?? './data'),
    databaseUrl: blank(env.DATABASE_URL),
    publicUrl,
    publicUrlSet: blank(env.PUBLIC_URL) !== null,
    secretKey: blank(env.SECRET_KEY),
    admin: parseAdmin(env),
    smtpUrl: blank(env.SMTP_URL),
    mailFrom: blank(env.MAIL_FROM) ?? 'serversctl <serversctl@localhost>',
    s3: parseS3(env),
    trustProxy: (blank(env.TRUST_PROXY) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    secureCookies: publicUrl.startsWith('https://'),
    allowPrivateProviderHosts: parseBoolean('ALLOW_PRIVATE_PROVIDER_HOSTS', blank(env.ALLOW_PRIVATE_PROVIDER_HOSTS)),
    session: {
      idleHours: parseNumber('SESSION_IDLE_HOURS', blank(env.SESSION_IDLE_HOURS), 8, 0.05, 24 * 30),
      maxDays: parseNumber('SESSION_MAX_DAYS', blank(env.SESSION_MAX_DAYS), 7, 0.01, 365),
    },
    cloudflareApiUrl: blank(env.CLOUDFLARE_API_URL),
    dnsResolver: parseDnsResolver(blank(env.DNS_RESOLVER)),
    logFormat: parseLogFormat(blank(env.LOG_FORMAT)),
    metricsToken: blank(env.METRICS_TOKEN),
  }
}
