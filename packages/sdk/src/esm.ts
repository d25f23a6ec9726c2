/**
 * The ESM build for bundlers: the same API as the script tag's `window.touchline`.
 *
 * @example
 * import { createTouchline } from '@touchline/sdk'
 * const touchline = createTouchline({ writeKey: 'wk_…', api: 'https://collector.example.com' })
 * touchline.identify('user-1', { email: 'ada@example.com' })
 */
export {
  createTouchline,
  type Properties,
  type Touchline,
  type TouchlineOptions,
  type Traits,
  type UserId,
} from './client'
