export const sessionCookieName = 'sctl_session'
/** Double-submit token for the forms shown before sign-in (login, setup). */
export const csrfCookieName = 'sctl_csrf'
