// A heartbeat as a real agent on a small OpenLiteSpeed + MariaDB host sends it.
import type { CpanelStack, Heartbeat } from '../../agent/protocol'

export function sampleHeartbeat(overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    agentVersion: '0.1.0',
    hostname: 'web-1.example.com',
    os: { id: 'ubuntu', versionId: '22.04', family: 'debian', prettyName: 'Ubuntu 22.04.4 LTS', kernel: '5.15.0-105-generic' },
    stacks: {
      openlitespeed: { version: '1.7.19', running: true, adminPort: 7080, vhosts: [{ name: 'shop', root: '/var/www/shop', domains: ['shop.example.com'] }] },
      mariadb: { version: '10.11.6', flavor: 'mariadb', running: true, databases: [{ name: 'shop_wp', sizeBytes: 5_242_880 }], managedBy: null },
      galera: null,
      cpanel: null,
    },
    apps: [{ kind: 'wordpress', path: '/var/www/shop', dbName: 'shop_wp', dbUser: 'shop', dbHost: 'localhost' }],
    uptimeSeconds: 86_400 * 3 + 3600,
    cpuPercent: 12.5,
    load: [0.42, 0.3, 0.25],
    memory: { totalBytes: 4 * 2 ** 30, usedBytes: 2 * 2 ** 30, availableBytes: 2 * 2 ** 30 },
    disks: [{ mount: '/', fsType: 'ext4', totalBytes: 80 * 2 ** 30, usedBytes: 20 * 2 ** 30 }],
    updates: { manager: 'apt', pending: 7, security: 2, checkedAt: new Date().toISOString() },
    firewall: { kind: 'ufw', active: true, ruleCount: 4 },
    services: [{ unit: 'lsws', stack: 'openlitespeed', state: 'active' }, { unit: 'mariadb', stack: 'mariadb', state: 'active' }],
    certificates: [{ domain: 'shop.example.com', path: '/etc/letsencrypt/live/shop.example.com/cert.pem', notAfter: new Date(Date.now() + 40 * 86_400_000).toISOString(), issuer: 'R11' }],
    ...overrides,
  }
}

/** A cPanel host's heartbeat with these accounts (one domain each), for the pool tabs that need two or more. */
export function cpanelHeartbeat(users: { user: string; domain: string }[]): Heartbeat {
  const stack: CpanelStack = {
    version: '11.120.0.9',
    accounts: users.map(({ user, domain }) => ({ user, domain, domains: [], plan: 'default', owner: 'root', suspended: false, diskBytes: 1024 })),
    packages: ['default'],
    accountCount: users.length,
  }
  const hb = sampleHeartbeat()
  hb.stacks = { ...hb.stacks, openlitespeed: null, cpanel: stack }
  return hb
}
