/**
 * A random ID in nanoid's format: 21 characters of `A-Za-z0-9_-`, 126 random bits (the
 * first 21 base64url characters of 16 random bytes). Smaller in the script build than
 * nanoid's own alphabet table.
 */
export const newId = (): string =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))))
    .slice(0, 21)
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
