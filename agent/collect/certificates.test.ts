import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { readText } from '../detect/files'
import { certificatePaths, collectCertificates, parseCertificate } from './certificates'

const fixture = (name: string) => join(import.meta.dir, '../fixtures', name)
const OLS = fixture('ols-host')

describe('parseCertificate', () => {
  test('CN, notAfter and issuer CN; a fullchain reads as its leaf', () => {
    const want = { domain: 'shop.example.net', path: '/x', notAfter: '2126-11-02T10:10:27.000Z', issuer: 'Fixture CA R1' }
    expect(parseCertificate(readText(OLS, 'etc/letsencrypt/live/shop.example.net/cert.pem')!, '/x')).toMatchObject(want)
    expect(parseCertificate(readText(OLS, 'etc/letsencrypt/live/shop.example.net/fullchain.pem')!, '/x')).toMatchObject(want)
  })

  test('no CN: the first DNS name', () => {
    expect(parseCertificate(readText(OLS, 'usr/local/lsws/Example/conf/example.crt')!, '/y')?.domain).toBe('example.com')
  })

  test.each([[''], ['not a certificate'], ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n']])('garbage %p is null', (text) => {
    expect(parseCertificate(text, '/z')).toBeNull()
  })
})

describe('collectCertificates', () => {
  test('paths: Let\'s Encrypt live certificates, then vhost certFiles with variables expanded', () => {
    expect(certificatePaths(OLS).sort()).toEqual([
      '/etc/letsencrypt/live/shop.example.net/cert.pem',
      '/etc/letsencrypt/live/shop.example.net/fullchain.pem',
      '/usr/local/lsws/Example/conf/example.crt',
    ])
  })

  test('the web host fixture: the same certificate by two paths is listed once', () => {
    expect(collectCertificates(OLS)).toEqual([
      { domain: 'shop.example.net', path: '/etc/letsencrypt/live/shop.example.net/cert.pem', notAfter: '2126-11-02T10:10:27.000Z', issuer: 'Fixture CA R1' },
      { domain: 'example.com', path: '/usr/local/lsws/Example/conf/example.crt', notAfter: '2126-11-02T10:10:27.000Z', issuer: 'Fixture CA R1' },
    ])
  })

  test('no certificates anywhere', () => {
    expect(collectCertificates(fixture('plain-host'))).toEqual([])
  })
})
