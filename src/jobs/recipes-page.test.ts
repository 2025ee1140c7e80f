import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { catalogueEntry, jobNames } from '../../agent/jobs/catalogue'
import { claimWithin, reportJob } from './service'
import { jobsOf, memberWith, signedInWithPool } from './tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Recipes')))
afterAll(() => s.close())

/** A Debian host with no stack on it: where install recipes may run. */
const clean = () =>
  sampleHeartbeat({ stacks: { openlitespeed: null, mariadb: null, galera: null, cpanel: null }, apps: [], services: [], certificates: [] })

const card = (html: string, name: string) => {
  const id = `recipe-${name.slice('recipe.'.length).replaceAll('_', '-')}`
  const start = html.indexOf(`<section class="card recipe" id="${id}"`)
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start))
}

describe('the Recipes tab', () => {
  test('it renders as a full page and as an htmx fragment', async () => {
    const m = await memberWith(s, poolId, 'rec-render', clean())
    const full = await b.get(m.tab('recipes'))
    expect(full.status).toBe(200)
    expect(full.text).toContain('<html')
    const part = await b.get(m.tab('recipes'), { 'hx-request': 'true', 'hx-target': 'div#member-panel' })
    expect(part.status).toBe(200)
    expect(part.text).not.toContain('<html')
    expect(part.text).toContain('id="recipes"')
  })

  test('every recipe has a card with its summary and the steps it will run, before anything runs', async () => {
    const m = await memberWith(s, poolId, 'rec-cards', clean())
    const html = (await b.get(m.tab('recipes'))).text
    const recipes = jobNames.filter((n) => catalogueEntry(n).recipe)
    expect(recipes.length).toBeGreaterThan(5)
    for (const name of recipes) {
      const entry = catalogueEntry(name)
      const text = visibleText(card(html, name))
      expect(text).toContain(entry.title)
      expect(text).toContain(entry.recipe!.summary)
      expect(text).toContain(entry.steps({}).join(' '))
    }
    expect(await jobsOf(s, m.id)).toHaveLength(0)
  })

  test('install recipes are disabled with the reason where their stack is detected, and a post is refused', async () => {
    const m = await memberWith(s, poolId, 'rec-taken', sampleHeartbeat())
    const html = (await b.get(m.tab('recipes'))).text
    const ols = card(html, 'recipe.install_openlitespeed')
    expect(ols).toContain('disabled')
    expect(ols).not.toContain('<dialog')
    expect(visibleText(ols)).toContain('OpenLiteSpeed is already installed here; OpenLiteSpeed installs only on clean servers.')
    expect(visibleText(card(html, 'recipe.install_mariadb'))).toContain('A MariaDB or MySQL server is already installed here; MariaDB installs only on clean servers.')
    // Other reasons come from the same rules: there is no cPanel to check.
    expect(visibleText(card(html, 'recipe.whm_link_check'))).toContain('cPanel is not installed on this server.')
    // Harden recipes for the stacks that are there are offered.
    expect(card(html, 'recipe.harden_openlitespeed')).toContain('<dialog')

    const res = await b.post(m.jobs, { name: 'recipe.install_openlitespeed', tab: 'recipes', confirm: 'rec-taken' })
    expect(res.status).toBe(422)
    expect(visibleText(res.text)).toContain('OpenLiteSpeed is already installed here; OpenLiteSpeed installs only on clean servers.')
    expect(await jobsOf(s, m.id)).toHaveLength(0)
  })

  test('on a clean server an install recipe runs once the name is typed, and its progress shows below', async () => {
    const m = await memberWith(s, poolId, 'rec-clean', clean())
    const html = (await b.get(m.tab('recipes'))).text
    const dialog = card(html, 'recipe.install_mariadb')
    expect(dialog).toContain('Run Install MariaDB on rec-clean?')
    expect(dialog).toContain('Type rec-clean to confirm')

    const unconfirmed = await b.post(m.jobs, { name: 'recipe.install_mariadb', tab: 'recipes', confirm: '' })
    expect(unconfirmed.status).toBe(422)
    expect(visibleText(unconfirmed.text)).toContain("To install MariaDB on rec-clean, confirm with the server's name.")
    // The refused dialog opens again, with the message at its field.
    expect(unconfirmed.text).toMatch(/<dialog id="recipe-install-mariadb-confirm"[^>]*data-reopen=""/)
    expect(await jobsOf(s, m.id)).toHaveLength(0)

    const res = await b.post(m.jobs, { name: 'recipe.install_mariadb', tab: 'recipes', confirm: 'rec-clean' })
    expect(res.status).toBe(303)
    const jobs = await jobsOf(s, m.id)
    expect(jobs.map((j) => j.name)).toEqual(['recipe.install_mariadb'])
    expect(res.headers.get('location')).toBe(`${m.jobs}/${jobs[0]!.id}`)

    const claimed = await claimWithin(s.db, m.id, 0, false)
    await reportJob(s.db, m.id, claimed!.id, { step: 2 })
    const page = await b.get(m.tab('recipes'))
    const text = visibleText(page.text)
    expect(text).toContain('Recent recipe runs')
    expect(text).toContain('Install MariaDB running 40%')
    expect(page.text).toContain(`href="${m.jobs}/${jobs[0]!.id}"`)
    // A running recipe keeps its list fresh while the page is visible.
    expect(page.text).toMatch(/id="recipe-jobs" hx-get="[^"]+\/recipes" hx-trigger="every 3s" hx-select="#recipe-jobs"/)
  })

  test("the Let's Encrypt recipe shows its fields, filled in from the sites the agent found", async () => {
    const m = await memberWith(s, poolId, 'rec-le', sampleHeartbeat())
    const html = card((await b.get(m.tab('recipes'))).text, 'recipe.letsencrypt')
    expect(html).toMatch(/<textarea id="recipe-letsencrypt-le-domains" name="p.domains"[^>]*>shop.example.com<\/textarea>/)
    expect(html).toContain('name="p.email" type="email" value="admin@example.com"')
    expect(html).toContain('name="p.webroot" type="text" value="/var/www/shop"')
    expect(html).toMatch(/<option value="webroot" selected/)

    const missing = await b.post(m.jobs, { name: 'recipe.letsencrypt', tab: 'recipes', confirm: 'rec-le', 'p.domains': 'shop.example.com', 'p.method': 'webroot', 'p.webroot': '/var/www/shop', 'p.email': '' })
    expect(missing.status).toBe(422)
    expect(missing.text).toMatch(/id="recipe-letsencrypt-le-email-error"[^>]*>Required: an email address for Let&#x27;s Encrypt&#x27;s expiry notices.</)
    expect(await jobsOf(s, m.id)).toHaveLength(0)

    const res = await b.post(m.jobs, {
      name: 'recipe.letsencrypt',
      tab: 'recipes',
      confirm: 'rec-le',
      'p.domains': 'shop.example.com\nwww.shop.example.com',
      'p.method': 'webroot',
      'p.webroot': '/var/www/shop',
      'p.email': 'ops@example.com',
      'p.staging': 'true',
    })
    expect(res.status).toBe(303)
    const jobs = await jobsOf(s, m.id)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]!.params).toEqual({ domains: ['shop.example.com', 'www.shop.example.com'], method: 'webroot', webroot: '/var/www/shop', email: 'ops@example.com', staging: true })
  })
})
