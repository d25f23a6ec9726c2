/** Campaign parameters read from a landing URL (PRODUCT.md §4, §6). */

export const UTM_PARAMS = {
  utm_source: 'source',
  utm_medium: 'medium',
  utm_campaign: 'name',
  utm_term: 'term',
  utm_content: 'content',
} as const

export type Campaign = Partial<Record<(typeof UTM_PARAMS)[keyof typeof UTM_PARAMS], string>>

/** Ad click IDs, in priority order (the browser SDK ships this list without the table below). */
export const CLICK_ID_NAMES = [
  'gclid',
  'gbraid',
  'wbraid',
  'dclid',
  'msclkid',
  'fbclid',
  'li_fat_id',
  'ttclid',
  'twclid',
  'epik',
  'rdt_cid',
  'sccid',
  'yclid',
] as const

export type ClickIdName = (typeof CLICK_ID_NAMES)[number]

/** The source/medium each ad click ID implies when no utm_* is set. */
export const CLICK_IDS: Readonly<Record<ClickIdName, readonly [source: string, medium: string]>> = {
  gclid: ['google', 'cpc'],
  gbraid: ['google', 'cpc'],
  wbraid: ['google', 'cpc'],
  dclid: ['google', 'cpc'],
  msclkid: ['bing', 'cpc'],
  fbclid: ['facebook', 'paid'],
  li_fat_id: ['linkedin', 'paid'],
  ttclid: ['tiktok', 'paid'],
  twclid: ['twitter', 'paid'],
  epik: ['pinterest', 'paid'],
  rdt_cid: ['reddit', 'paid'],
  sccid: ['snapchat', 'paid'],
  yclid: ['yandex', 'cpc'],
}

export interface ClickId {
  name: ClickIdName
  value: string
}

/** Reads utm_* parameters from a query string (`?a=b` or `a=b`). Empty values are dropped. */
export function campaignFromSearch(search: string): Campaign {
  const params = new URLSearchParams(search)
  const campaign: Campaign = {}
  for (const [param, field] of Object.entries(UTM_PARAMS)) {
    const value = params.get(param)?.trim()
    if (value) campaign[field] = value
  }
  return campaign
}

/** The first ad click ID present in a query string, if any. */
export function clickIdFromSearch(search: string): ClickId | undefined {
  const params = new URLSearchParams(search)
  for (const name of CLICK_ID_NAMES) {
    const value = params.get(name)?.trim()
    if (value) return { name, value }
  }
  return undefined
}
