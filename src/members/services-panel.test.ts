// The Control panel's Services: where systemd gave no state, the row says so
// and takes what the stack's detector knows, as the stack's own tab does.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Services')))
afterAll(() => s.close())

const servicesCard = (html: string) => {
  const start = html.indexOf('id="services-table"')
  return visibleText(html.slice(start, html.indexOf('</table>', start)))
}

describe('Control panel services', () => {
  test('a unit systemd could not tell about shows the MariaDB detector\'s "running", as the MariaDB tab does, and says why', async () => {
    const hb = sampleHeartbeat({ services: [{ unit: 'mariadb', stack: 'mariadb', state: 'unknown' }] })
    const m = await memberWith(s, poolId, 'svc-unknown', hb)
    const services = servicesCard((await b.get(m.tab('control'))).text)
    expect(services).not.toContain('unknown')
    expect(services).toContain('mariadb MariaDB running')
    expect(services).toContain('systemd gave no state for mariadb (no systemd, no answer, or the unit has another name here); MariaDB detection found the server running.')
    expect(visibleText((await b.get(m.tab('mariadb'))).text)).toContain('running Server')
  })

  test('without a detector to ask, the state is "not known", with the reason', async () => {
    const hb = sampleHeartbeat({ services: [{ unit: 'cpanel', stack: 'cpanel', state: 'unknown' }] })
    hb.stacks = { ...hb.stacks, cpanel: { version: '11.120.0.9', accounts: [] } }
    const m = await memberWith(s, poolId, 'svc-cpanel', hb)
    const services = servicesCard((await b.get(m.tab('control'))).text)
    expect(services).toContain('cpanel cPanel not known systemd gave no state for cpanel')
  })

  test("systemd's word stands, with a note where the detector found otherwise", async () => {
    const hb = sampleHeartbeat({ services: [{ unit: 'lsws', stack: 'openlitespeed', state: 'active' }, { unit: 'mariadb', stack: 'mariadb', state: 'inactive' }] })
    const m = await memberWith(s, poolId, 'svc-both', hb)
    const services = servicesCard((await b.get(m.tab('control'))).text)
    expect(services).toContain('lsws OpenLiteSpeed active mariadb')
    expect(services).toContain('mariadb MariaDB inactive systemd says inactive, but MariaDB detection found the server running.')
  })
})
