// Managed DNS for protected accounts, by what each part does: the catalogue
// (DNS Health and the records), Sync WHM → Cloudflare and Refresh DNS, and the
// record actions (Add record, proxied, Import from Cloudflare).
export * from './model'
export * from './catalogue'
export * from './sync'
export * from './records'
