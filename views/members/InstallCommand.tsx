import { Time } from '../components/ui'

/** The one-time install command, shown once, with a copy button. */
export function InstallCommand({ command, expiresAt }: { command: string; expiresAt: Date }) {
  return (
    <div class="install" x-data="{ copied: false }">
      <p>Run this as root on the server. It is shown only now, works once, and expires <Time at={expiresAt} />.</p>
      <div class="copy-row">
        <code class="secret" id="install-command" safe>
          {command}
        </code>
        <button
          type="button"
          class="button"
          {...{ '@click': "navigator.clipboard.writeText($root.querySelector('#install-command').textContent.trim()); copied = true" }}
        >
          <span x-text="copied ? 'Copied' : 'Copy'">Copy</span>
        </button>
      </div>
    </div>
  )
}
