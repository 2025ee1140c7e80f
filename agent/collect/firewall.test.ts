import { describe, expect, test } from 'bun:test'
import { cannedRun } from '../run-command'
import { detectFirewall, parseFirewalldList, parseUfwStatus } from './firewall'

const UFW_ACTIVE = `Status: active

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW       Anywhere
80,443/tcp                 ALLOW       Anywhere
7080                       ALLOW       203.0.113.0/24
22/tcp (v6)                ALLOW       Anywhere (v6)
80,443/tcp (v6)            ALLOW       Anywhere (v6)

`
const FIREWALLD = `public (active)
  target: default
  icmp-block-inversion: no
  interfaces: eth0
  sources: 
  services: cockpit dhcpv6-client ssh
  ports: 8080/tcp 7080/tcp
  protocols: 
  forward: yes
  masquerade: no
  forward-ports: 
	port=8443:proto=tcp:toport=443:toaddr=
  source-ports: 
  icmp-blocks: 
  rich rules: 
	rule family="ipv4" source address="10.0.0.0/8" accept
	rule family="ipv6" source address="2001:db8::/32" port port="3306" protocol="tcp" accept
`

describe('parseUfwStatus', () => {
  test.each([
    ['active with rules', UFW_ACTIVE, { active: true, ruleCount: 5 }],
    ['active, no rules', 'Status: active\n', { active: true, ruleCount: 0 }],
    ['inactive', 'Status: inactive\n', { active: false, ruleCount: null }],
    ['garbage', 'ERROR: You need to be root to run this script', { active: null, ruleCount: null }],
  ])('%s', (_, text, want) => {
    expect(parseUfwStatus(text)).toEqual(want)
  })
})

describe('parseFirewalldList', () => {
  test.each([
    ['services, ports and rich rules', FIREWALLD, 7],
    ['an empty zone', 'public (active)\n  services: \n  ports: \n  rich rules: \n', 0],
    ['garbage', 'FirewallD is not running', 0],
  ])('%s', (_, text, want) => {
    expect(parseFirewalldList(text)).toBe(want)
  })
})

describe('detectFirewall', () => {
  test('ufw active', async () => {
    expect(await detectFirewall({ run: cannedRun({ 'ufw status': UFW_ACTIVE }) })).toEqual({ kind: 'ufw', active: true, ruleCount: 5 })
  })

  test('firewalld running', async () => {
    const run = cannedRun({ 'firewall-cmd --state': 'running\n', 'firewall-cmd --list-all': FIREWALLD })
    expect(await detectFirewall({ run })).toEqual({ kind: 'firewalld', active: true, ruleCount: 7 })
  })

  test('firewalld stopped', async () => {
    const run = cannedRun({ 'firewall-cmd --state': { code: 252, stdout: 'not running\n', stderr: '' } })
    expect(await detectFirewall({ run })).toEqual({ kind: 'firewalld', active: false, ruleCount: null })
  })

  test('both installed: the active one is reported', async () => {
    const run = cannedRun({ 'ufw status': 'Status: inactive\n', 'firewall-cmd --state': 'running\n', 'firewall-cmd --list-all': FIREWALLD })
    expect((await detectFirewall({ run })).kind).toBe('firewalld')
  })

  test('ufw installed but inactive and no firewalld', async () => {
    expect(await detectFirewall({ run: cannedRun({ 'ufw status': 'Status: inactive\n' }) })).toEqual({ kind: 'ufw', active: false, ruleCount: null })
  })

  test('neither', async () => {
    expect(await detectFirewall({ run: cannedRun() })).toEqual({ kind: null, active: null, ruleCount: null })
  })
})
