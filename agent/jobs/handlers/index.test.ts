import { describe, expect, test } from 'bun:test'
import { catalogue, jobNames } from '../catalogue'
import { jobRules } from '../../../src/jobs/params'
import { handlers } from '.'

describe('the catalogue, both sides', () => {
  test.each(jobNames)('%s has a handler and a parameter rule', (name) => {
    expect(typeof handlers[name]).toBe('function')
    expect(jobRules[name]?.params).toBeDefined()
  })

  test('nothing on either side that the catalogue does not name', () => {
    expect(Object.keys(handlers).sort()).toEqual([...jobNames].sort())
    expect(Object.keys(jobRules).sort()).toEqual([...jobNames].sort())
  })

  test('every recipe says what it does and shows several steps', () => {
    const recipes = jobNames.filter((n) => n.startsWith('recipe.'))
    expect(recipes.sort()).toEqual([
      'recipe.agent_update',
      'recipe.harden_cpanel',
      'recipe.harden_mariadb',
      'recipe.harden_openlitespeed',
      'recipe.install_cpanel',
      'recipe.install_mariadb',
      'recipe.install_openlitespeed',
      'recipe.letsencrypt',
      'recipe.ssh_hardening',
      'recipe.whm_link_check',
    ])
    for (const name of recipes) {
      const entry = catalogue[name]
      expect(entry.recipe?.summary.length).toBeGreaterThan(20)
      expect(entry.steps({}).length).toBeGreaterThanOrEqual(2)
    }
  })

  test('install recipes say what they install and ask for confirmation', () => {
    expect(catalogue['recipe.install_openlitespeed'].recipe?.installs).toBe('openlitespeed')
    expect(catalogue['recipe.install_mariadb'].recipe?.installs).toBe('mariadb')
    expect(catalogue['recipe.install_cpanel'].recipe?.installs).toBe('cpanel')
    expect(jobNames.filter((n) => !n.startsWith('recipe.')).every((n) => !catalogue[n].recipe)).toBe(true)
    for (const name of ['recipe.install_openlitespeed', 'recipe.install_mariadb', 'recipe.install_cpanel'] as const) {
      expect(catalogue[name].confirm).toBe(true)
      expect(catalogue[name].safeToRepeat).toBe(false)
    }
  })

  test('recipes that wrap a job show that job\'s steps', () => {
    expect(catalogue['recipe.letsencrypt'].steps({})).toEqual(catalogue['tls.letsencrypt.issue'].steps({}))
    expect(catalogue['recipe.agent_update'].steps({})).toEqual(catalogue['agent.update'].steps({}))
  })
})
