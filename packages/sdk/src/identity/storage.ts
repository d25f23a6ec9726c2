/** localStorage that never throws (it may be disabled, full or blocked by privacy settings). */
export function storageGet(key: string): string | null {
  try {
    return localStorage.getItem(key)
  } catch {
    return null
  }
}

/** Stores a value, or removes the key when `value` is null. */
export function storageSet(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key)
    else localStorage.setItem(key, value)
  } catch {
    // Storage is a cache here: losing it is acceptable.
  }
}
