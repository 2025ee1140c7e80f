// `bun src/testing/standins/managed-dns-e2e.ts SRC_IP`: the Cloudflare and WHM
// stand-ins for the Managed DNS end-to-end spec, which runs under Node and
// cannot start Bun servers itself. WHM holds shop.example.com as cPanel makes
// it (apex A, mail CNAME, MX) plus www; Cloudflare holds the apex, proxied,
// and the MX. Prints one JSON line {cloudflareUrl, cloudflareToken, whmUrl,
// whmUser, whmToken}; stops when its stdin closes, that is when its parent goes.
import { start as startCloudflare } from './cloudflare'
import { start as startWhm } from './whm'

const src = process.argv[2] ?? '203.0.113.10'
const [cf, whm] = await Promise.all([startCloudflare(), startWhm()])
const cloudflareToken = 'cf-e2e-token'
const whmToken = 'whm-e2e-token'
cf.state.tokens = new Set([cloudflareToken])
whm.state.users = new Map([['root', whmToken]])
whm.state.addZone('shop.example.com', src)
whm.state.addRecord('shop.example.com', { type: 'A', name: 'www.shop.example.com.', address: src })
cf.state.addZone('shop.example.com')
cf.state.addRecord('shop.example.com', { name: 'shop.example.com', type: 'A', content: src, proxied: true })
cf.state.addRecord('shop.example.com', { name: 'shop.example.com', type: 'MX', content: 'shop.example.com', priority: 0, ttl: 14400 })
console.log(JSON.stringify({ cloudflareUrl: cf.url, cloudflareToken, whmUrl: whm.url, whmUser: 'root', whmToken }))
for await (const _ of Bun.stdin.stream()) {
  // Nothing is sent; the loop ends when the parent closes the pipe or dies.
}
await Promise.all([cf.stop(), whm.stop()])
process.exit(0)
