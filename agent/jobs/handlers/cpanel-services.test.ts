import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCpanelHost, type CpanelHost } from '../../../src/testing/standins/cpanel/host'
import { configCheck, serviceRestart, type ConfigCheck } from './cpanel-services'
import { cpanelJob, standinsOnPath } from './cpanel-test-kit'

let restorePath: () => void
beforeAll(() => void (restorePath = standinsOnPath()))
afterAll(() => restorePath())

let host: CpanelHost
beforeEach(() => void (host = makeCpanelHost()))
afterEach(() => host.cleanup())

const job = (name: string, params: Record<string, any> = {}) => cpanelJob(name, params, { root: host.root })
const apacheInstalled = ['/usr/sbin/apachectl', '/usr/local/apache/bin/apachectl'].some((p) => existsSync(p))

/** A folder first on PATH holding an apachectl that answers as given. */
function fakeApachectl(exit: number, line: string): { env: Record<string, string>; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sctl-apachectl-'))
  writeFileSync(join(dir, 'apachectl'), `#!/bin/sh\n[ "$1" = "-t" ] || exit 2\necho '${line}' >&2\nexit ${exit}\n`)
  chmodSync(join(dir, 'apachectl'), 0o755)
  return { env: { PATH: `${dir}:${process.env.PATH}` }, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

describe('cpanel.service.restart', () => {
  test('WHM restarts the named service', async () => {
    const j = job('cpanel.service.restart', { service: 'httpd' })
    await j.run(serviceRestart)
    expect(readFileSync(join(host.root, 'var/cpanel/standin/restarts.log'), 'utf8')).toBe('httpd\n')
    expect(j.results.at(-1)).toEqual({ service: 'httpd' })
    expect(j.logs.at(-1)).toBe('WHM restarted Web server (httpd).')
  })

  test('a service outside the list is refused on the agent', async () => {
    await expect(job('cpanel.service.restart', { service: 'sshd' }).run(serviceRestart)).rejects.toThrow(/^Refusing the service "sshd": one of httpd, exim/)
    expect(existsSync(join(host.root, 'var/cpanel/standin/restarts.log'))).toBe(false)
  })
})

describe('cpanel.config.check', () => {
  test('version, services and the web server test in the result; a stopped service is a finding, not a failure', async () => {
    mkdirSync(join(host.root, 'var/cpanel/standin'), { recursive: true })
    writeFileSync(join(host.root, 'var/cpanel/standin/services.json'), JSON.stringify({ exim: { running: 0 }, named: { enabled: 0, running: 0 } }))
    const apache = fakeApachectl(0, 'Syntax OK')
    try {
      const j = job('cpanel.config.check')
      await j.run(configCheck, apache.env)
      const r = j.results.at(-1) as ConfigCheck
      expect(r.version).toBe('11.124.0.21')
      expect(r.services).toContainEqual({ name: 'httpd', enabled: true, running: true })
      expect(r.services).toContainEqual({ name: 'exim', enabled: true, running: false })
      expect(r.services).toContainEqual({ name: 'named', enabled: false, running: false })
      expect(r.web).toEqual({ ok: true, message: 'Syntax OK' })
      expect(r.problems).toEqual(['exim is enabled but not running.'])
      expect(j.logs).toContain('Problem: exim is enabled but not running.')
      expect(j.steps).toEqual([0, 1, 2])
    } finally {
      apache.cleanup()
    }
  })

  test('a web server configuration that does not parse is reported with its words', async () => {
    const apache = fakeApachectl(1, 'AH00526: Syntax error on line 12 of /etc/apache2/conf/httpd.conf:')
    try {
      const j = job('cpanel.config.check')
      await j.run(configCheck, apache.env)
      const r = j.results.at(-1) as ConfigCheck
      expect(r.web).toEqual({ ok: false, message: 'AH00526: Syntax error on line 12 of /etc/apache2/conf/httpd.conf:' })
      expect(r.problems).toEqual(['The web server configuration does not parse: AH00526: Syntax error on line 12 of /etc/apache2/conf/httpd.conf:'])
    } finally {
      apache.cleanup()
    }
  })

  test.skipIf(apacheInstalled)('without Apache the web server test is skipped, and said so', async () => {
    const j = job('cpanel.config.check')
    await j.run(configCheck)
    const r = j.results.at(-1) as ConfigCheck
    expect(r.web.ok).toBeNull()
    expect(r.web.message).toContain('not tested')
    expect(r.problems).toEqual([])
  })

  test('the check fails only when WHM does not answer', async () => {
    const j = job('cpanel.config.check')
    await expect(j.run(configCheck, { STANDIN_WHM_FAIL: JSON.stringify({ version: 'Access denied' }) })).rejects.toThrow('whmapi1 version failed: Access denied')
    const k = job('cpanel.config.check')
    await k.run(configCheck, { STANDIN_WHM_FAIL: JSON.stringify({ servicestatus: 'The service status is not available.' }) })
    expect((k.results.at(-1) as ConfigCheck).problems).toEqual(['whmapi1 servicestatus failed: The service status is not available.'])
  })
})
