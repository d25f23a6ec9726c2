import type { Acquisition } from '../acquisition/acquisition'
import { type SourceCategory, sourceCategoryOf } from './categories'
import { type ChannelRule, customChannelOf } from './custom-rules'

/** The GA4 default channel group, in rule order (PRODUCT.md §6). */
export const DEFAULT_CHANNELS = [
  'Direct',
  'Cross-network',
  'Paid Shopping',
  'Paid Search',
  'Paid Social',
  'Paid Video',
  'Display',
  'Paid Other',
  'Organic Shopping',
  'Organic Social',
  'Organic Video',
  'Organic Search',
  'Referral',
  'Email',
  'Affiliates',
  'Audio',
  'SMS',
  'Mobile Push Notifications',
  'Unassigned',
] as const
export type DefaultChannel = (typeof DEFAULT_CHANNELS)[number]

// Inputs are lower-cased before these are tested.
const PAID_MEDIUM = /^(.*cp.*|ppc|retargeting|paid.*)$/
const SHOPPING_CAMPAIGN = /^(.*(([^a-df-z]|^)shop|shopping).*)$/
const DISPLAY_MEDIUMS = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm'])
const SOCIAL_MEDIUMS = new Set([
  'social',
  'social-network',
  'social-media',
  'sm',
  'social network',
  'social media',
])
const REFERRAL_MEDIUMS = new Set(['referral', 'app', 'link'])
const EMAIL = new Set(['email', 'e-mail', 'e_mail', 'e mail'])

/** Rule 1 of PRODUCT.md §6: source `(direct)` and medium `(none)` or `(not set)`. */
function isDirectSourceMedium(source: string, medium: string): boolean {
  return source === '(direct)' && (medium === '(none)' || medium === '(not set)')
}

/**
 * Whether a touch's channel is Direct (for `last_non_direct`): an offline touch by its own
 * channel, any other by the Direct rule.
 */
export function isDirectTouch(acquisition: Acquisition): boolean {
  if (acquisition.channel) return acquisition.channel.toLowerCase() === 'direct'
  return isDirectSourceMedium(acquisition.source.toLowerCase(), acquisition.medium.toLowerCase())
}

/**
 * The GA4 default channel of a touch: the first rule of PRODUCT.md §6 that matches, all
 * matching case-insensitive.
 */
export function defaultChannelOf(acquisition: Acquisition): DefaultChannel {
  const source = acquisition.source.toLowerCase()
  const medium = acquisition.medium.toLowerCase()
  const campaign = acquisition.campaign.toLowerCase()
  if (isDirectSourceMedium(source, medium)) return 'Direct'
  if (campaign.includes('cross-network')) return 'Cross-network'
  const category: SourceCategory | undefined = sourceCategoryOf(source)
  const paid = PAID_MEDIUM.test(medium)
  const shopping = category === 'shopping' || SHOPPING_CAMPAIGN.test(campaign)
  if (paid) {
    if (shopping) return 'Paid Shopping'
    if (category === 'search') return 'Paid Search'
    if (category === 'social') return 'Paid Social'
    if (category === 'video') return 'Paid Video'
  }
  if (DISPLAY_MEDIUMS.has(medium)) return 'Display'
  if (paid) return 'Paid Other'
  if (shopping) return 'Organic Shopping'
  if (category === 'social' || SOCIAL_MEDIUMS.has(medium)) return 'Organic Social'
  if (category === 'video' || medium.includes('video')) return 'Organic Video'
  if (category === 'search' || medium === 'organic') return 'Organic Search'
  if (REFERRAL_MEDIUMS.has(medium)) return 'Referral'
  if (EMAIL.has(source) || EMAIL.has(medium)) return 'Email'
  if (medium === 'affiliate') return 'Affiliates'
  if (medium === 'audio') return 'Audio'
  if (source === 'sms' || medium === 'sms') return 'SMS'
  if (
    medium.endsWith('push') ||
    medium.includes('mobile') ||
    medium.includes('notification') ||
    source === 'firebase'
  ) {
    return 'Mobile Push Notifications'
  }
  return 'Unassigned'
}

/**
 * The channel of a touch: an offline touch's own channel, else the first of the
 * project's custom rules that matches, else the GA4 default channel group.
 *
 * @example channelOf({ ...acquisition, source: 'google', medium: 'cpc' }) // 'Paid Search'
 */
export function channelOf(
  acquisition: Acquisition,
  customRules: readonly ChannelRule[] = [],
): string {
  if (acquisition.channel) return acquisition.channel
  return customChannelOf(acquisition, customRules) ?? defaultChannelOf(acquisition)
}
