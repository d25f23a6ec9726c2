import type { Acquisition } from '../acquisition/acquisition'
import { channelOf } from '../channels/channels'
import type { ChannelRule } from '../channels/custom-rules'

/** Dimensions a report can group credit by (PRODUCT.md §7). */
export const GROUP_BYS = [
  'channel',
  'source',
  'medium',
  'source_medium',
  'campaign',
  'content',
  'term',
  'landing_page',
] as const
export type GroupBy = (typeof GROUP_BYS)[number]

/**
 * The key a touch is credited under. `channel` is its channel (PRODUCT.md §6), with the
 * project's custom channel rules when given.
 */
export function groupKey(
  acquisition: Acquisition,
  groupBy: GroupBy,
  channelRules: readonly ChannelRule[] = [],
): string {
  switch (groupBy) {
    case 'channel':
      return channelOf(acquisition, channelRules)
    case 'source':
      return acquisition.source
    case 'medium':
      return acquisition.medium
    case 'source_medium':
      return `${acquisition.source} / ${acquisition.medium}`
    case 'campaign':
      return acquisition.campaign
    case 'content':
      return acquisition.content
    case 'term':
      return acquisition.term
    case 'landing_page':
      return acquisition.landingPage
  }
}
