import type { ConversionNamesReport } from '@touchline/shared'
import { type Api, ApiError, createApi } from '../api/client'
import { byId } from '../dom/dom'
import { storeKey } from './session'

export interface SignedIn {
  api: Api
  conversions: ConversionNamesReport
}

/**
 * Checks a key by asking for the conversion names (a secret-key-only report): a wrong key
 * gets the API's own 401/403 message.
 */
export async function signIn(key: string): Promise<SignedIn> {
  const api = createApi(key)
  const conversions = await api.get<ConversionNamesReport>('/v1/reports/conversions')
  storeKey(key)
  return { api, conversions }
}

/** Shows the sign-in form until a key works. */
export function showSignIn(onSignedIn: (signedIn: SignedIn) => void, message = ''): void {
  const section = byId('sign-in')
  const form = byId<HTMLFormElement>('sign-in-form')
  const input = byId<HTMLInputElement>('secret-key')
  const error = byId('sign-in-error')
  const button = form.querySelector('button') as HTMLButtonElement
  section.hidden = false
  error.textContent = message
  input.focus()
  form.onsubmit = async (event) => {
    event.preventDefault()
    const key = input.value.trim()
    if (!key) return
    button.disabled = true
    error.textContent = ''
    try {
      const signedIn = await signIn(key)
      input.value = ''
      section.hidden = true
      onSignedIn(signedIn)
    } catch (failure) {
      error.textContent =
        failure instanceof ApiError ? failure.message : `Sign-in failed: ${String(failure)}`
      input.select()
    } finally {
      button.disabled = false
    }
  }
}
