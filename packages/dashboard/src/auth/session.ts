/**
 * The secret key for this browser tab: sessionStorage (gone when the tab closes), never the
 * URL, never localStorage.
 */
const STORAGE_KEY = 'touchline.secretKey'

export function storedKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY)
  } catch {
    return null
  }
}

export function storeKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key)
  } catch {
    // Storage blocked: the key lives as long as the page.
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY)
  } catch {}
}
