import { createTouchline, type Touchline } from './client'
import { optionsFromScript } from './config/config'

/** What the pre-load stub leaves on `window.touchline`: calls to replay, in order. */
interface Stub {
  q?: [string, ...unknown[]][]
}

declare global {
  interface Window {
    touchline?: Touchline | Stub
  }
}

// The script-tag entry: reads data-* attributes, replaces the stub, replays its queue.
try {
  const stub = window.touchline as Stub | undefined
  // A loaded SDK has no queue: a second copy of the script must not start another client.
  if (!stub || stub.q) {
    const script = (document.currentScript ||
      document.querySelector('script[data-key]')) as HTMLScriptElement | null
    const touchline = createTouchline(optionsFromScript(script))
    window.touchline = touchline
    for (const [method, ...args] of stub?.q ?? []) {
      ;(touchline as unknown as Record<string, (...args: unknown[]) => unknown>)[method]?.(...args)
    }
  }
} catch {
  // Never break the host page.
}
