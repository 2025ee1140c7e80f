// Static assets, read once at start and served by the app itself: no CDN,
// so the dashboard works air-gapped.
import { Elysia } from 'elysia'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Deps } from '../server/deps'
import { accessPlugin } from './access'
import { worldMapSvg } from '../geo/world'

const publicDir = resolve(import.meta.dir, '../../public')
const vendor = (pkgFile: string) => Bun.resolveSync(pkgFile, import.meta.dir)

const FILES: Record<string, { path: string; type: string }> = {
  'app.css': { path: join(publicDir, 'app.css'), type: 'text/css; charset=utf-8' },
  'app.js': { path: join(publicDir, 'app.js'), type: 'text/javascript; charset=utf-8' },
  'tabs.js': { path: join(publicDir, 'tabs.js'), type: 'text/javascript; charset=utf-8' },
  'favicon.svg': { path: join(publicDir, 'favicon.svg'), type: 'image/svg+xml' },
  'htmx.min.js': { path: vendor('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  // Lets a poll answer 304 when nothing changed (the tiles on a pool overview).
  'hx-ptag.js': { path: vendor('htmx.org/dist/ext/hx-ptag.js'), type: 'text/javascript; charset=utf-8' },
  // The CSP build: it reads x-* expressions with its own small parser, never
  // new Function, so the CSP needs no 'unsafe-eval'.
  'alpine.min.js': { path: vendor('@alpinejs/csp/dist/cdn.min.js'), type: 'text/javascript; charset=utf-8' },
}

// Drawn by the server from bundled data when it starts.
const GENERATED: Record<string, { make: () => string; type: string }> = {
  'world-map.svg': { make: worldMapSvg, type: 'image/svg+xml' },
}

type Asset = { body: Blob; type: string; etag: string }

function asset(bytes: Uint8Array<ArrayBuffer> | string, type: string): Asset {
  const etag = `"${createHash('sha1').update(bytes).digest('base64url')}"`
  return { body: new Blob([bytes], { type }), type, etag }
}

function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  for (const [name, file] of Object.entries(FILES)) assets.set(name, asset(new Uint8Array(readFileSync(file.path)), file.type))
  for (const [name, file] of Object.entries(GENERATED)) assets.set(name, asset(file.make(), file.type))
  return assets
}

export function assetRoutes(deps: Deps) {
  const assets = loadAssets()
  return new Elysia().use(accessPlugin(deps)).get(
    '/assets/:file',
    ({ params, request, set, status }) => {
      const asset = assets.get(params.file)
      if (!asset) return status(404, 'not found')
      set.headers['etag'] = asset.etag
      set.headers['cache-control'] = 'public, max-age=300, must-revalidate'
      if (request.headers.get('if-none-match') === asset.etag) return status(304, '')
      return new Response(asset.body, { headers: { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'public, max-age=300, must-revalidate' } })
    },
    { access: 'static', detail: { hide: true } },
  )
}
