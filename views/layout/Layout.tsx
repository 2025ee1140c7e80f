import type { PropsWithChildren } from '@kitajs/html'

export type Section = 'pools' | 'audit' | 'docs' | 'account' | 'none'

/** What the frame around every signed-in page needs to know. */
export type Chrome = {
  title: string
  section: Section
  user: { email: string; role: string } | null
  csrf: string | null
}

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'pools', href: '/pools', label: 'Pools' },
  { section: 'audit', href: '/audit', label: 'Audit log' },
  { section: 'docs', href: '/docs', label: 'API' },
]

/** A link that swaps #main on click and still works as a plain link. */
export function NavLink({ href, class: cls, children }: PropsWithChildren<{ href: string; class?: string }>) {
  return (
    <a href={href} hx-get={href} hx-target="#main" hx-push-url="true" class={cls}>
      {children}
    </a>
  )
}

function SiteHeader({ chrome }: { chrome: Chrome }) {
  if (!chrome.user) {
    return (
      <header class="site-header">
        <a class="brand" href="/">
          <Logo /> serversctl
        </a>
      </header>
    )
  }
  return (
    <header class="site-header" id="site-header">
      <NavLink href="/pools" class="brand">
        <Logo /> <span class="brand-name">serversctl</span>
      </NavLink>
      <nav class="site-nav" aria-label="Main">
        {NAV.map((item) => (
          <NavLink href={item.href} class={item.section === chrome.section ? 'current' : undefined}>
            <span safe>{item.label}</span>
          </NavLink>
        ))}
      </nav>
      <div class="account-menu" x-data="{ open: false }" {...{ '@keydown.escape.window': 'open = false' }}>
        <button
          type="button"
          class="account-button"
          aria-haspopup="menu"
          {...{ 'x-bind:aria-expanded': 'open' }}
          {...{ '@click': 'open = !open' }}
          safe
        >
          {chrome.user.email}
        </button>
        <div class="menu" role="menu" x-show="open" x-cloak {...{ '@click.outside': 'open = false' }}>
          <NavLink href="/account/tokens">API tokens</NavLink>
          <NavLink href="/account/password">Change password</NavLink>
          <NavLink href="/account/storage">Storage</NavLink>
          <NavLink href="/outbox">Outbox</NavLink>
          <form method="post" action="/logout">
            <input type="hidden" name="_csrf" value={chrome.csrf ?? ''} />
            <button type="submit" class="link">
              Sign out
            </button>
          </form>
          <form method="post" action="/account/sign-out-everywhere">
            <input type="hidden" name="_csrf" value={chrome.csrf ?? ''} />
            <button type="submit" class="link">
              Sign out everywhere
            </button>
          </form>
        </div>
      </div>
    </header>
  )
}

export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <rect x="3" y="3" width="18" height="7" rx="2" />
      <rect x="3" y="14" width="18" height="7" rx="2" />
      <circle cx="7" cy="6.5" r="1.2" class="dot" />
      <circle cx="7" cy="17.5" r="1.2" class="dot" />
    </svg>
  )
}

export function Layout({ chrome, children }: PropsWithChildren<{ chrome: Chrome }>) {
  return (
    <>
      {'<!doctype html>'}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="csrf-token" content={chrome.csrf ?? ''} />
          <meta name="htmx-config" content='{"defaultTimeout": 30000}' />
          <title safe>{chrome.title} · serversctl</title>
          <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/assets/app.css" />
          <script src="/assets/htmx.min.js"></script>
          <script src="/assets/hx-ptag.js"></script>
          <script src="/assets/app.js"></script>
          <script src="/assets/tabs.js"></script>
          <script src="/assets/alpine.min.js" defer></script>
        </head>
        <body>
          <SiteHeader chrome={chrome} />
          <main id="main">{children}</main>
        </body>
      </html>
    </>
  )
}

/**
 * The answer to an htmx request: the page's title, the fragment, and the site
 * header again when the whole body was swapped, so its current section follows.
 */
export function Fragment({ chrome, withHeader, children }: PropsWithChildren<{ chrome: Chrome; withHeader: boolean }>) {
  return (
    <>
      <title safe>{chrome.title} · serversctl</title>
      {children}
      {withHeader && chrome.user ? (
        <hx-partial hx-target="#site-header" hx-swap="outerHTML">
          <SiteHeader chrome={chrome} />
        </hx-partial>
      ) : (
        ''
      )}
    </>
  )
}
