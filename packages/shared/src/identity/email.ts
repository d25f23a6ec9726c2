/** Emails as identifiers (PRODUCT.md §5): trimmed, lower-cased, checked to be an address. */

export type EmailResult = { ok: true; email: string } | { ok: false; error: string }

// One @, no spaces, a dotted domain of letters, digits and hyphens: what a form accepts.
const EMAIL = /^[^\s@]{1,64}@(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$/

/** The normalised email, or why it is not one. */
export function normaliseEmail(value: string): EmailResult {
  const email = value.trim().toLowerCase()
  return EMAIL.test(email)
    ? { ok: true, email }
    : { ok: false, error: `${JSON.stringify(email)} is not an email address` }
}

/** The part after the @ of a normalised email. */
export function emailDomain(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1)
}
