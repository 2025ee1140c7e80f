import type { PropsWithChildren } from '@kitajs/html'

/** The frosted "not detected" overlay of a stack tab. */
export function NotDetected({ stack, children }: PropsWithChildren<{ stack: string }>) {
  return (
    <div class="frosted">
      <div class="frosted-body" aria-hidden="true">
        <div class="ghost-card"></div>
        <div class="ghost-card"></div>
      </div>
      <div class="frosted-message">
        <p class="empty-title" safe>{`${stack} not detected`}</p>
        <div class="empty-body">{children}</div>
      </div>
    </div>
  )
}
