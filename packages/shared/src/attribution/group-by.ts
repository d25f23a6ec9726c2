import type { Acquisition } from '../acquisition/acquisition'

/** Dimensions a report can group credit by (PRODUCT.md §7). `channel` arrives with GA4 grouping. */
export const GROUP_BYS = [
  'source',
  'medium',
  'source_medium',
  'campaign',
  'content',
  'term',
  'landing_page',
] as const
export type GroupBy = (typeof GROUP_BYS)[number]

export function groupKey(acquisition: Acquisition, groupBy: GroupBy): string {
  switch (groupBy) {
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
