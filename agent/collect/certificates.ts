// TLS certificates of hosted sites: Let's Encrypt live certificates and the
// ones OpenLiteSpeed vhosts point at.
import { X509Certificate } from 'node:crypto'
import type { Certificate } from '../protocol'
import { listDir, readText } from '../detect/files'
import { children, entry, lsPath, parseLsConfig } from '../detect/lsws-config'
import { parseVhosts } from '../detect/openlitespeed'

const VHOSTS_DIR = 'usr/local/lsws/conf/vhosts'

/** One value of a multi-line X.509 name (`O=...\nCN=...`). */
function nameField(name: string, field: string): string | null {
  const line = name.split('\n').find((l) => l.startsWith(`${field}=`))
  return line ? line.slice(field.length + 1) : null
}

/** The first certificate in a PEM file (a fullchain starts with the leaf). */
export function parseCertificate(pem: string, path: string): (Certificate & { fingerprint: string }) | null {
  try {
    const cert = new X509Certificate(pem)
    const san = cert.subjectAltName?.split(/,\s*/).find((s) => s.startsWith('DNS:'))?.slice(4) ?? null
    const notAfter = new Date(cert.validTo)
    return {
      domain: nameField(cert.subject, 'CN') ?? san ?? '',
      path,
      notAfter: Number.isNaN(notAfter.getTime()) ? null : notAfter.toISOString(),
      issuer: nameField(cert.issuer, 'CN') ?? nameField(cert.issuer, 'O'),
      fingerprint: cert.fingerprint256,
    }
  } catch {
    return null
  }
}

/** Host paths of candidate certificate files, Let's Encrypt first. */
export function certificatePaths(root = '/'): string[] {
  const paths = listDir(root, 'etc/letsencrypt/live')
    .filter((e) => e.isDirectory() || e.isSymbolicLink())
    .map((e) => `/etc/letsencrypt/live/${e.name}/cert.pem`)
  const vhRoots = new Map(parseVhosts(readText(root, 'usr/local/lsws/conf/httpd_config.conf') ?? '').map((v) => [v.name, v.root]))
  for (const dir of listDir(root, VHOSTS_DIR)) {
    const conf = readText(root, `${VHOSTS_DIR}/${dir.name}/vhconf.conf`)
    if (!conf) continue
    for (const ssl of children(parseLsConfig(conf), 'vhssl')) {
      const certFile = entry(ssl, 'certFile')
      if (certFile) paths.push(lsPath(certFile, { vhName: dir.name, vhRoot: vhRoots.get(dir.name) }))
    }
  }
  // A variable we could not expand leaves a path that cannot be read.
  return [...new Set(paths)].filter((p) => !p.includes('$'))
}

export function collectCertificates(root = '/'): Certificate[] {
  const seen = new Set<string>()
  const certs: Certificate[] = []
  for (const path of certificatePaths(root)) {
    const c = parseCertificate(readText(root, path, 200_000) ?? '', path)
    if (!c || !c.domain || seen.has(c.fingerprint)) continue
    seen.add(c.fingerprint)
    const { fingerprint: _, ...cert } = c
    certs.push(cert)
  }
  return certs
}
