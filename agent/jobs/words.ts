// Product names keep their own capitals wherever they fall in a sentence:
// "cPanel is already installed", "To list SSH authorized keys", "issue a
// Let's Encrypt certificate". Shared by the server's messages and the agent's.

// A word that is a name as written: an acronym (SSH, WHM), inner capitals
// (OpenLiteSpeed, MariaDB, WordPress, cPanel), or Let's Encrypt.
const NAME_AS_WRITTEN = /^(Let's Encrypt|[A-Z]{2,}|[A-Za-z][a-z]*[A-Z])/

/** The text as the first words of a sentence: "cPanel and OpenLiteSpeed", "Reboot". */
export function atSentenceStart(text: string): string {
  return NAME_AS_WRITTEN.test(text) ? text : text.charAt(0).toUpperCase() + text.slice(1)
}

/** A title as it reads after "To " or "run ": "list SSH authorized keys", "Let's Encrypt certificate". */
export function midSentence(title: string): string {
  return NAME_AS_WRITTEN.test(title) ? title : title.charAt(0).toLowerCase() + title.slice(1)
}
