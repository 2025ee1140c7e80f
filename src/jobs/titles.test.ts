import { describe, expect, test } from 'bun:test'
import { catalogue, jobNames } from '../../agent/jobs/catalogue'
import { atSentenceStart } from '../../agent/jobs/words'
import { noSuchJob, titleInSentence } from './titles'

describe('job titles in a sentence', () => {
  test.each([
    ['List SSH authorized keys', 'list SSH authorized keys'],
    ["Issue a Let's Encrypt certificate", "issue a Let's Encrypt certificate"],
    ["Let's Encrypt certificate", "Let's Encrypt certificate"],
    ['SSH hardening', 'SSH hardening'],
    ['WHM link check', 'WHM link check'],
    ['Install OpenLiteSpeed', 'install OpenLiteSpeed'],
    ['MariaDB backup', 'MariaDB backup'],
    ['Reboot', 'reboot'],
  ])('it writes %p as %p', (title, expected) => {
    expect(titleInSentence(title)).toBe(expected)
  })

  test('it keeps every product name of the catalogue as written', () => {
    const products = ['SSH', 'WHM', 'cPanel', 'MariaDB', 'OpenLiteSpeed', "Let's Encrypt", 'WordPress']
    for (const name of jobNames) {
      const title = catalogue[name].title
      for (const product of products) if (title.includes(product)) expect(titleInSentence(title)).toContain(product)
    }
  })

  test.each([
    ['cPanel and OpenLiteSpeed', 'cPanel and OpenLiteSpeed'],
    ['a MariaDB server', 'A MariaDB server'],
    ['MariaDB', 'MariaDB'],
    ["Let's Encrypt", "Let's Encrypt"],
  ])('it starts a sentence with %p as %p', (text, expected) => {
    expect(atSentenceStart(text)).toBe(expected)
  })

  test('an empty or unknown job is refused in words, without the catalogue ids', () => {
    expect(noSuchJob('').message).toBe('Choose a job.')
    expect(noSuchJob(undefined).message).toBe('Choose a job.')
    const unknown = noSuchJob('nope').message
    expect(unknown).toStartWith('There is no job called "nope".')
    expect(unknown).not.toContain('system.updates.check')
  })
})
