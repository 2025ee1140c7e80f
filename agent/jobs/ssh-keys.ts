// OpenSSH public keys as authorized_keys holds them. The server checks a key
// with these before queueing ssh.key.add; the agent uses them to find keys by
// fingerprint, which it computes itself rather than trusting ssh-keygen's
// presence on every member.
import { createHash } from 'node:crypto'

export const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const

const TYPE = KEY_TYPES.map((t) => t.replaceAll('.', '\\.')).join('|')

/** One key, no options prefix, no line break; the comment may hold spaces. */
export const PUBLIC_KEY_PATTERN = `^(?:${TYPE}) [A-Za-z0-9+/]+={0,2}(?: [^\\x00-\\x1f\\x7f]{0,1024})?$`

export type PublicKey = { type: string; body: string; comment: string | null }
export type AuthorizedKey = PublicKey & { options: string | null; fingerprint: string }

/** `SHA256:` + unpadded base64 of the sha-256 of the key blob, as `ssh-keygen -l` prints it. */
export function fingerprint(body: string): string {
  return 'SHA256:' + createHash('sha256').update(Buffer.from(body, 'base64')).digest('base64').replace(/=+$/, '')
}

/**
 * The blob starts with its own type as an SSH string (uint32 length, bytes);
 * a body that does not name the type on the line is damaged or pasted wrong.
 */
export function blobType(body: string): string | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return null
  const blob = Buffer.from(body, 'base64')
  if (blob.length < 4) return null
  const len = blob.readUInt32BE(0)
  if (len < 1 || len > 64 || blob.length < 4 + len + 4) return null
  return blob.toString('latin1', 4, 4 + len)
}

/** A key line as ssh.key.add takes it: `type base64 [comment]`. Null when it is not one. */
export function parsePublicKey(line: string): PublicKey | null {
  if (!new RegExp(PUBLIC_KEY_PATTERN).test(line)) return null
  const [type, body, ...rest] = line.split(' ')
  if (blobType(body!) !== type) return null
  return { type: type!, body: body!, comment: rest.join(' ').trim() || null }
}

/** Where the options of an authorized_keys line end: the first unquoted space (sshd's own rule). */
function optionsEnd(line: string): number {
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '\\' && quoted) i++
    else if (c === '"') quoted = !quoted
    else if (!quoted && (c === ' ' || c === '\t')) return i
  }
  return -1
}

/** One authorized_keys line, with or without options; null for comments, blanks and lines we cannot read. */
export function parseAuthorizedKey(raw: string): AuthorizedKey | null {
  const line = raw.trim()
  if (!line || line.startsWith('#')) return null
  let options: string | null = null
  let rest = line
  const first = line.split(/[ \t]/, 1)[0]!
  if (!(KEY_TYPES as readonly string[]).includes(first)) {
    const end = optionsEnd(line)
    if (end < 0) return null
    options = line.slice(0, end)
    rest = line.slice(end).trim()
  }
  const [type, body, ...comment] = rest.split(/[ \t]+/)
  if (!type || !body || !(KEY_TYPES as readonly string[]).includes(type) || blobType(body) !== type) return null
  return { type, body, comment: comment.join(' ') || null, options, fingerprint: fingerprint(body) }
}
