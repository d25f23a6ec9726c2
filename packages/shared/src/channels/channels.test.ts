import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Acquisition, NOT_SET } from '../acquisition/acquisition'
import { groupKey } from '../attribution/group-by'
import { channelOf, DEFAULT_CHANNELS, defaultChannelOf } from './channels'
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

describe('channelOf', () => {
  // [channel, source, medium, campaign?]: one row or more per rule of PRODUCT.md §6, in order.
  it.each<[string, string, string, string?]>([
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
  ])('%s: %s / %s %s', (expected, source, medium, campaign) => {
    expect(channel(source, medium, campaign)).toBe(expected)
  })

  it('lets the first matching rule win', () => {
    // (direct) with a campaign is still Direct; with another medium the medium decides.
    expect(channel('(direct)', '(none)', 'cross-network')).toBe('Direct')
    expect(channel('(direct)', 'email')).toBe('Email')
    expect(channel('(direct)', 'cpc')).toBe('Paid Other')
    // Referral (13) comes before Email (14), and before Mobile Push (18).
    expect(channel('email', 'referral')).toBe('Referral')
    expect(channel('firebase', 'referral')).toBe('Referral')
    // Cross-network beats every paid rule.
    expect(channel('amazon', 'cpc', 'Cross-Network')).toBe('Cross-network')
    // cpm is paid: a search source makes it Paid Search before Display; else Display, not Paid Other.
    expect(channel('google', 'cpm')).toBe('Paid Search')
    expect(channel('facebook', 'cpm')).toBe('Paid Social')
    expect(channel('facebook', 'display')).toBe('Display')
    // A shopping campaign makes any paid touch Paid Shopping, before Paid Search.
    expect(channel('google', 'cpc', 'black-friday-shop')).toBe('Paid Shopping')
    // "shop" after a letter other than e is no shopping campaign (workshop, bishop).
    expect(channel('newsletter', 'cpc', 'workshop')).toBe('Paid Other')
    expect(channel('newsletter', 'cpc', 'shop_q4')).toBe('Paid Shopping')
    // A social source without a paid medium is organic, whatever its medium.
    expect(channel('linkedin', 'email')).toBe('Organic Social')
    // A paid medium naming video on a social source is Paid Social; unpaid, Organic Social.
    expect(channel('facebook', 'paid_video')).toBe('Paid Social')
    expect(channel('facebook', 'video')).toBe('Organic Social')
    // Push: ends with push only.
    expect(channel('onesignal', 'push_web')).toBe('Unassigned')
  })

  it('derives the channel of sources without utm_* (PRODUCT.md §6)', () => {
    expect(channel('google', 'organic')).toBe('Organic Search')
    expect(channel('bing', 'cpc')).toBe('Paid Search')
    expect(channel('facebook', 'social')).toBe('Organic Social')
    expect(channel('twitter', 'paid')).toBe('Paid Social')
    expect(channel('example.org', 'referral')).toBe('Referral')
  })

  it('ignores case', () => {
    expect(channel('(DIRECT)', '(None)')).toBe('Direct')
    expect(channel('GOOGLE', 'CPC')).toBe('Paid Search')
    expect(channel('Facebook.COM', 'Referral')).toBe('Organic Social')
    expect(channel('newsletter', 'E-Mail')).toBe('Email')
    expect(channel('newsletter', 'CPC', 'Summer-SHOP')).toBe('Paid Shopping')
    expect(channel('FireBase', 'web')).toBe('Mobile Push Notifications')
    expect(channel('braze', 'Web-PUSH')).toBe('Mobile Push Notifications')
  })

  it('knows subdomains and country domains of known sites', () => {
    expect(channel('m.facebook.com', 'referral')).toBe('Organic Social')
    expect(channel('l.instagram.com', 'referral')).toBe('Organic Social')
    expect(channel('www.google.co.uk', 'referral')).toBe('Organic Search')
    expect(channel('google.de', 'cpc')).toBe('Paid Search')
    expect(channel('m.youtube.com', 'referral')).toBe('Organic Video')
    expect(channel('amazon.co.jp', 'referral')).toBe('Organic Shopping')
    expect(channel('shopping.naver.com', 'referral')).toBe('Organic Shopping')
  })

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
