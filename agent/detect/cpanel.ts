// cPanel: its version and the accounts with their main domains.
import type { CpanelStack } from '../protocol'
import { isDir, readText } from './files'

/** /etc/trueuserdomains has one `domain: user` line per account, for its main domain. */
export function parseTrueUserDomains(text: string): CpanelStack['accounts'] {
  const accounts: CpanelStack['accounts'] = []
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+)\s*:\s*(\S+)\s*$/.exec(line)
    if (m && !accounts.some((a) => a.user === m[2])) accounts.push({ user: m[2], domain: m[1] })
  }
  return accounts
}

export function detectCpanel(root = '/'): CpanelStack | null {
  if (!isDir(root, 'usr/local/cpanel')) return null
  return {
    version: readText(root, 'usr/local/cpanel/version')?.trim() || null,
    accounts: parseTrueUserDomains(readText(root, 'etc/trueuserdomains') ?? ''),
  }
}
