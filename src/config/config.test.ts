import { describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig } from '.'

describe('configuration', () => {
  test('it runs with nothing configured', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', databaseUrl: null, publicUrl: 'http://localhost:3000', admin: null, s3: null, trustProxy: [], secureCookies: false, allowPrivateProviderHosts: false, session: { idleHours: 8, maxDays: 7 }, cloudflareApiUrl: null })
    expect(c.dataDir).toEndWith('/data')
  })

  test('it reads every variable of the contract', () => {
    const c = loadConfig({
      PORT: '8080', HOST: '127.0.0.1', DATA_DIR: '/var/lib/sctl', DATABASE_URL: 'postgres://x@db/sctl',
      PUBLIC_URL: 'https://ctl.example.com/', SECRET_KEY: 'k', ADMIN_EMAIL: 'a@b.c', ADMIN_PASSWORD: 'pw',
      ADMIN_API_TOKEN: 'tok', SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'ops@example.com',
      S3_ENDPOINT: 'http://127.0.0.1:4568', S3_BUCKET: 'b', S3_REGION: 'eu-west-1', S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'sk', S3_FORCE_PATH_STYLE: 'true', TRUST_PROXY: '10.0.0.1, 10.0.0.2',
      ALLOW_PRIVATE_PROVIDER_HOSTS: 'true', SESSION_IDLE_HOURS: '2', SESSION_MAX_DAYS: '3',
    })
    expect(c).toMatchObject({
      port: 8080, host: '127.0.0.1', dataDir: '/var/lib/sctl', databaseUrl: 'postgres://x@db/sctl',
      publicUrl: 'https://ctl.example.com', secretKey: 'k', admin: { email: 'a@b.c', password: 'pw', apiToken: 'tok' },
      smtpUrl: 'smtp://127.0.0.1:2525', mailFrom: 'ops@example.com',
      s3: { endpoint: 'http://127.0.0.1:4568', bucket: 'b', region: 'eu-west-1', accessKeyId: 'id', secretAccessKey: 'sk', forcePathStyle: true },
      trustProxy: ['10.0.0.1', '10.0.0.2'], secureCookies: true,
      allowPrivateProviderHosts: true, session: { idleHours: 2, maxDays: 3 },
    })
  })

  test('LOG_FORMAT and METRICS_TOKEN: text logs and loopback-only metrics unless set', () => {
    expect(loadConfig({})).toMatchObject({ logFormat: 'text', metricsToken: null })
    expect(loadConfig({ LOG_FORMAT: 'JSON', METRICS_TOKEN: ' scrape-me ' })).toMatchObject({ logFormat: 'json', metricsToken: 'scrape-me' })
  })

  test.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ PUBLIC_URL: 'ctl.example.com' }, 'PUBLIC_URL must be an absolute'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL must start with http'],
    [{ ADMIN_EMAIL: 'a@b.c' }, 'ADMIN_EMAIL and ADMIN_PASSWORD go together'],
    [{ ADMIN_API_TOKEN: 't' }, 'ADMIN_API_TOKEN needs ADMIN_EMAIL and ADMIN_PASSWORD'],
    [{ ALLOW_PRIVATE_PROVIDER_HOSTS: 'maybe' }, 'ALLOW_PRIVATE_PROVIDER_HOSTS must be true or false'],
    [{ SESSION_IDLE_HOURS: 'never' }, 'SESSION_IDLE_HOURS must be a number'],
    [{ SESSION_MAX_DAYS: '0' }, 'SESSION_MAX_DAYS must be a number'],
    [{ LOG_FORMAT: 'logfmt' }, 'LOG_FORMAT must be json (one JSON object per line) or text, got "logfmt"'],
  ])('it refuses %p clearly', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })
})
