import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Acquisition, NOT_SET } from '../acquisition/acquisition'
import { groupKey } from '../attribution/group-by'
import { channelOf, DEFAULT_CHANNELS, defaultChannelOf, isDirectTouch } from './channels'
import { type ChannelRule, validateChannelRules } from './custom-rules'

const touch = (source: string, medium: string, campaign = NOT_SET): Acquisition => ({
  source,
  medium,
  campaign,
  content: NOT_SET,
  term: NOT_SET,
  landingPage: '/',
})
const channel = (source: string, medium: string, campaign?: string) =>
  channelOf(touch(source, medium, campaign))
/** [channel, source, medium, campaign?] */
type ChannelCase = [string, string, string, string?]

describe('channelOf', () => {
  const expectChannel = (expected: string, source: string, medium: string, campaign?: string) => {
    expect(channel(source, medium, campaign)).toBe(expected)
  }

  // [channel, source, medium, campaign?]: one row or more per rule of PRODUCT.md §6, in order.
  it.each<ChannelCase>([
    ['Direct', '(direct)', '(none)'],
    ['Direct', '(direct)', '(not set)'],
    ['Cross-network', 'google', 'cpc', 'pmax_cross-network_q3'],
    ['Cross-network', 'newsletter', '(not set)', 'cross-network'],
    ['Paid Shopping', 'amazon', 'cpc'],
    ['Paid Shopping', 'newsletter', 'paid', 'summer-shopping'],
    ['Paid Shopping', 'google', 'cpc', 'Shopping - Brand'],
    ['Paid Shopping', 'criteo', 'retargeting', 'eshop'],
    ['Paid Search', 'google', 'cpc'],
    ['Paid Search', 'bing', 'ppc'],
    ['Paid Search', 'baidu', 'paidsearch'],
    ['Paid Social', 'facebook', 'paid_social'],
    ['Paid Social', 'linkedin', 'cpc'],
    ['Paid Video', 'youtube', 'cpv'],
    ['Display', 'criteo', 'display'],
    ['Display', 'criteo', 'banner'],
    ['Display', 'adroll', 'expandable'],
    ['Display', 'adroll', 'interstitial'],
    ['Display', 'criteo', 'cpm'],
    ['Paid Other', 'criteo', 'cpc'],
    ['Paid Other', 'partner', 'paid'],
    ['Paid Other', 'outbrain', 'ppc'],
    ['Organic Shopping', 'ebay.de', '(not set)'],
    ['Organic Shopping', 'amazon', 'referral'],
    ['Organic Shopping', 'newsletter', 'email', 'spring-shop'],
    ['Organic Social', 'facebook', 'referral'],
    ['Organic Social', 'forum', 'social'],
    ['Organic Social', 'forum', 'social-network'],
    ['Organic Social', 'forum', 'social-media'],
    ['Organic Social', 'forum', 'sm'],
    ['Organic Social', 'forum', 'social network'],
    ['Organic Social', 'forum', 'social media'],
    ['Organic Video', 'youtube.com', 'referral'],
    ['Organic Video', 'podcast', 'video_preroll'],
    ['Organic Search', 'google', 'organic'],
    ['Organic Search', 'duckduckgo.com', 'referral'],
    ['Organic Search', 'some-engine', 'organic'],
    ['Referral', 'example.com', 'referral'],
    ['Referral', 'example.com', 'app'],
    ['Referral', 'example.com', 'link'],
    ['Email', 'newsletter', 'email'],
    ['Email', 'e-mail', '(not set)'],
    ['Email', 'hubspot', 'e_mail'],
    ['Email', 'e mail', 'newsletter'],
    ['Affiliates', 'partner', 'affiliate'],
    ['Audio', 'spotify', 'audio'],
    ['SMS', 'sms', '(not set)'],
    ['SMS', 'twilio', 'sms'],
    ['Mobile Push Notifications', 'onesignal', 'web-push'],
    ['Mobile Push Notifications', 'braze', 'mobile'],
    ['Mobile Push Notifications', 'braze', 'in-app-notification'],
    ['Mobile Push Notifications', 'firebase', '(not set)'],
    ['Unassigned', 'newsletter', '(not set)'],
    ['Unassigned', '(not set)', '(not set)'],
    ['Unassigned', 'partner', 'banner-ad'],
  ])('%s: %s / %s %s', expectChannel)

  it.each<ChannelCase>([
    // (direct) with a campaign is still Direct; with another medium the medium decides.
    ['Direct', '(direct)', '(none)', 'cross-network'],
    ['Email', '(direct)', 'email'],
    ['Paid Other', '(direct)', 'cpc'],
    // Referral (13) comes before Email (14), and before Mobile Push (18).
    ['Referral', 'email', 'referral'],
    ['Referral', 'firebase', 'referral'],
    // Cross-network beats every paid rule.
    ['Cross-network', 'amazon', 'cpc', 'Cross-Network'],
    // cpm is paid: a search source makes it Paid Search before Display; else Display, not Paid Other.
    ['Paid Search', 'google', 'cpm'],
    ['Paid Social', 'facebook', 'cpm'],
    ['Display', 'facebook', 'display'],
    // A shopping campaign makes any paid touch Paid Shopping, before Paid Search.
    ['Paid Shopping', 'google', 'cpc', 'black-friday-shop'],
    // "shop" after a letter other than e is no shopping campaign (workshop, bishop).
    ['Paid Other', 'newsletter', 'cpc', 'workshop'],
    ['Paid Shopping', 'newsletter', 'cpc', 'shop_q4'],
    // A social source without a paid medium is organic, whatever its medium.
    ['Organic Social', 'linkedin', 'email'],
    // A paid medium naming video on a social source is Paid Social; unpaid, Organic Social.
    ['Paid Social', 'facebook', 'paid_video'],
    ['Organic Social', 'facebook', 'video'],
    // Push: ends with push only.
    ['Unassigned', 'onesignal', 'push_web'],
  ])('lets the first matching rule win: %s: %s / %s %s', expectChannel)

  it.each<ChannelCase>([
    ['Organic Search', 'google', 'organic'],
    ['Paid Search', 'bing', 'cpc'],
    ['Organic Social', 'facebook', 'social'],
    ['Paid Social', 'twitter', 'paid'],
    ['Referral', 'example.org', 'referral'],
  ])('derives the channel of sources without utm_* (PRODUCT.md §6): %s: %s / %s', expectChannel)

  it.each<ChannelCase>([
    ['Direct', '(DIRECT)', '(None)'],
    ['Paid Search', 'GOOGLE', 'CPC'],
    ['Organic Social', 'Facebook.COM', 'Referral'],
    ['Email', 'newsletter', 'E-Mail'],
    ['Paid Shopping', 'newsletter', 'CPC', 'Summer-SHOP'],
    ['Mobile Push Notifications', 'FireBase', 'web'],
    ['Mobile Push Notifications', 'braze', 'Web-PUSH'],
  ])('ignores case: %s: %s / %s %s', expectChannel)

  it.each<ChannelCase>([
    ['Organic Social', 'm.facebook.com', 'referral'],
    ['Organic Social', 'l.instagram.com', 'referral'],
    ['Organic Search', 'www.google.co.uk', 'referral'],
    ['Paid Search', 'google.de', 'cpc'],
    ['Organic Video', 'm.youtube.com', 'referral'],
    ['Organic Shopping', 'amazon.co.jp', 'referral'],
    ['Organic Shopping', 'shopping.naver.com', 'referral'],
  ])('knows subdomains and country domains of known sites: %s: %s / %s', expectChannel)

  it('returns one of the default channels, whatever the case of its inputs', () => {
    const words = [
      '(direct)',
      '(none)',
      '(not set)',
      'google',
      'www.google.co.uk',
      'facebook.com',
      'youtube',
      'amazon',
      'cpc',
      'cpm',
      'ppc',
      'paid',
      'retargeting',
      'display',
      'organic',
      'referral',
      'social network',
      'video',
      'email',
      'e_mail',
      'affiliate',
      'audio',
      'sms',
      'firebase',
      'push',
      'mobile',
      'notification',
      'shop',
      'shopping',
      'cross-network',
      '-',
      ' ',
    ]
    const field = fc
      .array(fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 4 })), { maxLength: 3 })
      .map((parts) => parts.join(''))
    const mixedCase = (text: string, upper: boolean[]) =>
      [...text]
        .map((char, i) => (upper[i % Math.max(upper.length, 1)] ? char.toUpperCase() : char))
        .join('')
    fc.assert(
      fc.property(
        field,
        field,
        field,
        fc.array(fc.boolean(), { maxLength: 8 }),
        (source, medium, campaign, upper) => {
          const result = defaultChannelOf(touch(source, medium, campaign))
          expect(DEFAULT_CHANNELS).toContain(result)
          expect(channelOf(touch(source, medium, campaign))).toBe(result)
          const lower = touch(source.toLowerCase(), medium.toLowerCase(), campaign.toLowerCase())
          expect(defaultChannelOf(lower)).toBe(result)
          const mixed = touch(
            mixedCase(source, upper),
            mixedCase(medium, upper),
            mixedCase(campaign, upper),
          )
          expect(defaultChannelOf(mixed)).toBe(result)
        },
      ),
      { numRuns: 2_000 },
    )
  })
})

describe('channelOf with custom rules', () => {
  const rules: ChannelRule[] = [
    { channel: 'Partners', when: { source: '^(acme|globex)\\.com$', medium: '^referral$' } },
    { channel: 'Events', when: { campaign: 'summit' } },
    { channel: 'Google Ads', when: { clickId: '^(gclid|gbraid|wbraid)$' } },
    { channel: 'Pricing visits', when: { landingPage: '^/pricing' } },
  ]

  it('tries the project rules in order before the defaults', () => {
    expect(channelOf(touch('ACME.com', 'Referral'), rules)).toBe('Partners')
    expect(channelOf(touch('acme.com', 'email'), rules)).toBe('Email')
    expect(channelOf(touch('acme.com', 'referral', 'Summit-2025'), rules)).toBe('Partners')
    expect(channelOf(touch('google', 'cpc', 'summit'), rules)).toBe('Events')
    expect(channelOf({ ...touch('google', 'cpc'), clickId: 'gclid' }, rules)).toBe('Google Ads')
    expect(channelOf({ ...touch('google', 'cpc'), landingPage: '/pricing/team' }, rules)).toBe(
      'Pricing visits',
    )
    expect(channelOf(touch('google', 'cpc'), rules)).toBe('Paid Search')
  })

  it('tests an absent click ID as (not set)', () => {
    const noClick: ChannelRule[] = [{ channel: 'Untagged', when: { clickId: '^\\(not set\\)$' } }]
    expect(channelOf(touch('google', 'cpc'), noClick)).toBe('Untagged')
    expect(channelOf({ ...touch('google', 'cpc'), clickId: 'gclid' }, noClick)).toBe('Paid Search')
  })

  it('skips a rule that does not validate rather than failing', () => {
    const broken: ChannelRule[] = [
      { channel: 'Broken', when: { source: '(' } },
      { channel: 'Empty', when: {} },
      { channel: '', when: { source: '.' } },
      { channel: 'Fine', when: { source: 'acme' } },
    ]
    expect(channelOf(touch('acme.com', 'referral'), broken)).toBe('Fine')
    expect(channelOf(touch('google', 'cpc'), broken)).toBe('Paid Search')
  })

  it('keeps an offline touch’s own channel', () => {
    const offline = { ...touch('acme.com', 'referral'), channel: 'Trade shows' }
    expect(channelOf(offline, rules)).toBe('Trade shows')
    expect(channelOf({ ...touch('google', 'cpc'), channel: 'Events' })).toBe('Events')
    expect(channelOf({ ...touch('google', 'cpc'), channel: '' })).toBe('Paid Search')
  })
})

describe('groupKey', () => {
  it('groups by channel, with the project rules when given', () => {
    const acme = touch('acme.com', 'referral')
    expect(groupKey(acme, 'channel')).toBe('Referral')
    expect(groupKey(acme, 'channel', [{ channel: 'Partners', when: { source: 'acme' } }])).toBe(
      'Partners',
    )
    expect(groupKey(acme, 'source_medium')).toBe('acme.com / referral')
  })
})

describe('validateChannelRules', () => {
  it('accepts valid rules, trimming channel names', () => {
    expect(
      validateChannelRules([
        { channel: ' Partners ', when: { source: 'acme|globex', medium: '^referral$' } },
      ]),
    ).toEqual({
      success: true,
      data: [{ channel: 'Partners', when: { source: 'acme|globex', medium: '^referral$' } }],
    })
    expect(validateChannelRules([])).toEqual({ success: true, data: [] })
  })

  it('names the offending rule of each error', () => {
    const result = validateChannelRules([
      { channel: 'Partners', when: { source: '(acme' } },
      { channel: 'Events', when: {} },
      { channel: '  ', when: { medium: 'x' } },
      { channel: 'Other', when: { referrerHost: 'x', campaign: 3 } },
      'Paid',
      { channel: 'Fine', when: { term: '^brand' } },
    ])
    expect(result).toMatchInlineSnapshot(`
      {
        "errors": [
          "rule 1 ("Partners"): when.source "(acme" is not a valid regular expression (Unterminated group)",
          "rule 2 ("Events"): when must be an object with at least one of source, medium, campaign, content, term, landingPage, clickId",
          "rule 3: channel must be a non-empty string",
          "rule 4 ("Other"): when.referrerHost is not a field a rule can test (source, medium, campaign, content, term, landingPage, clickId)",
          "rule 4 ("Other"): when.campaign must be a regular expression, as a string",
          "rule 5 must be an object { channel, when }",
        ],
        "success": false,
      }
    `)
  })

  it('refuses anything but a list of at most 100 rules', () => {
    expect(validateChannelRules({ channel: 'x' })).toEqual({
      success: false,
      errors: ['channel rules must be a list'],
    })
    const many = Array.from({ length: 101 }, () => ({ channel: 'x', when: { source: 'x' } }))
    expect(validateChannelRules(many)).toEqual({
      success: false,
      errors: ['at most 100 channel rules are allowed'],
    })
  })
})

describe('isDirectTouch', () => {
  it('is the Direct rule, or an offline touch’s own channel', () => {
    expect(isDirectTouch(touch('(Direct)', '(none)'))).toBe(true)
    expect(isDirectTouch(touch('(direct)', '(not set)'))).toBe(true)
    expect(isDirectTouch(touch('(direct)', 'email'))).toBe(false)
    expect(isDirectTouch({ ...touch('(direct)', '(none)'), channel: 'Events' })).toBe(false)
    expect(isDirectTouch({ ...touch('crm', 'offline'), channel: 'direct' })).toBe(true)
  })
})
