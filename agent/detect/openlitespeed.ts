// OpenLiteSpeed under /usr/local/lsws: version, whether it runs, the WebAdmin
// port and the virtual hosts with the domains the listeners map to them.
import type { OpenLiteSpeedStack } from '../protocol'
import type { RunCommand } from '../run-command'
import { isDir, pidAlive, readText } from './files'
import { children, entries, entry, lsPath, parseLsConfig } from './lsws-config'

const SERVER_DIR = 'usr/local/lsws'

export type Vhost = OpenLiteSpeedStack['vhosts'][number]

export function parseVhosts(httpdConfig: string): Vhost[] {
  const config = parseLsConfig(httpdConfig)
  const vhosts = new Map<string, Vhost>()
  for (const block of children(config, 'virtualhost')) {
    if (!block.name) continue
    const vhRoot = entry(block, 'vhRoot')
    vhosts.set(block.name, { name: block.name, root: vhRoot ? lsPath(vhRoot, { vhName: block.name }) : null, domains: [] })
  }
  for (const listener of children(config, 'listener')) {
    for (const map of entries(listener, 'map')) {
      const [name, ...rest] = map.split(/[\s,]+/).filter(Boolean)
      if (!name) continue
      // Vhosts made from templates only show up in maps; their root lives in the template.
      let vhost = vhosts.get(name)
      if (!vhost) vhosts.set(name, (vhost = { name, root: null, domains: [] }))
      for (const domain of rest) {
        if (domain !== '*' && !vhost.domains.includes(domain)) vhost.domains.push(domain)
      }
    }
  }
  return [...vhosts.values()]
}

export function parseAdminPort(adminConfig: string): number | null {
  for (const listener of children(parseLsConfig(adminConfig), 'listener')) {
    const m = /:(\d+)$/.exec(entry(listener, 'address') ?? '')
    if (m) return Number(m[1])
  }
  return null
}

export async function detectOpenLiteSpeed({ root = '/', run }: { root?: string; run: RunCommand }): Promise<OpenLiteSpeedStack | null> {
  if (!isDir(root, SERVER_DIR)) return null
  const running =
    pidAlive(root, 'tmp/lshttpd/lshttpd.pid') || (await run(['systemctl', 'is-active', 'lsws']))?.stdout.trim() === 'active'
  const admin = readText(root, `${SERVER_DIR}/admin/conf/admin_config.conf`)
  const httpd = readText(root, `${SERVER_DIR}/conf/httpd_config.conf`)
  return {
    version: readText(root, `${SERVER_DIR}/VERSION`)?.trim() || null,
    running,
    adminPort: admin ? parseAdminPort(admin) : null,
    vhosts: httpd ? parseVhosts(httpd) : [],
  }
}
