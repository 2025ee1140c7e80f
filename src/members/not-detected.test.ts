// The "not detected" overlays of the stack tabs lead to the recipe that
// installs the stack, at its card on the Recipes tab.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
let member: Awaited<ReturnType<typeof memberWith>>
beforeAll(async () => {
  ;({ s, b, poolId } = await signedInWithPool('Bare'))
  const bare = sampleHeartbeat({ stacks: { openlitespeed: null, mariadb: null, galera: null, cpanel: null }, apps: [], services: [] })
  member = await memberWith(s, poolId, 'bare-1', bare)
})
afterAll(() => s.close())

describe('not detected overlays', () => {
  for (const [tab, recipe, title] of [
    ['openlitespeed', 'recipe.install_openlitespeed', 'Install OpenLiteSpeed'],
    ['mariadb', 'recipe.install_mariadb', 'Install MariaDB'],
    ['cpanel', 'recipe.install_cpanel', 'Install cPanel & WHM'],
  ] as const) {
    test(`the ${tab} tab links to the ${title} recipe's card, which is there on the Recipes tab`, async () => {
      const html = (await b.get(member.tab(tab))).text
      expect(visibleText(html)).toContain('not detected')
      const link = new RegExp(`<a class="button" href="([^"]+)" data-recipe="${recipe}">([^<]+)</a>`).exec(html)
      expect(link).not.toBeNull()
      const [, href, label] = link!
      expect(visibleText(label!)).toBe(title)
      const anchor = `recipe-${recipe.slice('recipe.'.length).replaceAll('_', '-')}`
      expect(href).toBe(`/pools/${poolId}/members/${member.id}/recipes#${anchor}`)
      const recipes = (await b.get(href!.split('#')[0]!)).text
      expect(recipes).toContain(`<section class="card recipe" id="${anchor}" data-recipe="${recipe}">`)
    })
  }
})
