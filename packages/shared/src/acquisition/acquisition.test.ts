import { describe, expect, it } from 'vitest'
import { acquisitionOf, arrivalKey } from './acquisition'

describe('acquisitionOf', () => {
  it('takes utm_* parameters first, from the URL or context.campaign; source and medium lower-cased', () => {
    expect(
      acquisitionOf({
        url: 'https://acme.test/lp?utm_source=LinkedIn&utm_medium=Paid_Social&utm_campaign=Launch&gclid=x',
        referrer: 'https://www.linkedin.com/',
      }),
    ).toEqual({
      source: 'linkedin',
      medium: 'paid_social',
      campaign: 'Launch',
      content: '(not set)',
      term: '(not set)',
      landingPage: '/lp',
      clickId: 'gclid',
    })
    expect(
      acquisitionOf({
        url: 'https://acme.test/',
        campaign: { source: 'newsletter', medium: 'email' },
      }),
    ).toMatchObject({ source: 'newsletter', medium: 'email', campaign: '(not set)' })
  })

  it('derives source/medium from an ad click ID without utm_*', () => {
    expect(acquisitionOf({ url: 'https://acme.test/?gclid=abc' })).toMatchObject({
      source: 'google',
      medium: 'cpc',
    })
    expect(acquisitionOf({ url: 'https://acme.test/?msclkid=abc' })).toMatchObject({
      source: 'bing',
      medium: 'cpc',
    })
  })

  it('counts an external referrer as a referral and everything else as direct', () => {
    expect(
      acquisitionOf({ url: 'https://acme.test/', referrer: 'https://www.example.org/post' }),
    ).toMatchObject({ source: 'example.org', medium: 'referral' })
    expect(
      acquisitionOf({ url: 'https://acme.test/a', referrer: 'https://acme.test/' }),
    ).toMatchObject({
      source: '(direct)',
      medium: '(none)',
    })
    expect(
      acquisitionOf(
        { url: 'https://www.acme.test/', referrer: 'https://app.acme.test/login' },
        { ownDomains: ['acme.test'] },
      ),
    ).toMatchObject({ source: '(direct)', medium: '(none)' })
    expect(acquisitionOf({ url: 'not a url' })).toMatchObject({
      source: '(direct)',
      landingPage: '(not set)',
    })
  })

  it('names a search engine or social network referrer after the site (PRODUCT.md §6)', () => {
    const from = (referrer: string) => {
      const { source, medium } = acquisitionOf({ url: 'https://acme.test/', referrer })
      return `${source} / ${medium}`
    }
    expect(from('https://www.google.co.uk/')).toBe('google / organic')
    expect(from('https://www.bing.com/search?q=acme')).toBe('bing / organic')
    expect(from('https://duckduckgo.com/')).toBe('duckduckgo / organic')
    expect(from('https://l.facebook.com/l.php?u=x')).toBe('facebook / social')
    expect(from('https://t.co/abc')).toBe('twitter / social')
    expect(from('https://www.linkedin.com/feed/')).toBe('linkedin / social')
    expect(from('https://shopping.naver.com/')).toBe('shopping.naver.com / referral')
    expect(from('https://www.youtube.com/')).toBe('youtube.com / referral')
    expect(from('https://brave.com/')).toBe('brave.com / referral')
  })
})

describe('arrivalKey', () => {
  it('is undefined for direct arrivals and in-site navigation', () => {
    expect(arrivalKey({ url: 'https://acme.test/' })).toBeUndefined()
    expect(
      arrivalKey({ url: 'https://acme.test/b', referrer: 'https://acme.test/a' }),
    ).toBeUndefined()
  })

  it('differs between campaigns and between external referrers, ignoring case', () => {
    const linkedin = arrivalKey({ url: 'https://acme.test/?utm_source=linkedin' })
    expect(arrivalKey({ url: 'https://acme.test/x?utm_source=LinkedIn' })).toBe(linkedin)
    expect(arrivalKey({ url: 'https://acme.test/?utm_source=google' })).not.toBe(linkedin)
    expect(arrivalKey({ url: 'https://acme.test/', referrer: 'https://a.example/' })).toBe(
      'referrer:a.example',
    )
  })

  it('never starts on an own domain, its subdomains or an excluded referrer', () => {
    const options = { ownDomains: ['acme.test'], excludedReferrers: ['.pay.example'] }
    const from = (referrer: string) =>
      arrivalKey({ url: 'https://www.acme.test/', referrer }, options)
    expect(from('https://acme.test/')).toBeUndefined()
    expect(from('https://blog.eu.acme.test/post')).toBeUndefined()
    expect(from('https://pay.example/checkout')).toBeUndefined()
    expect(from('https://secure.pay.example/3ds')).toBeUndefined()
    expect(from('https://notacme.test/')).toBe('referrer:notacme.test')
    expect(from('https://pay.example.org/')).toBe('referrer:pay.example.org')
    expect(from('android-app://com.example/')).toBeUndefined()
  })

  it('takes an empty own domain (a host-only cookie) as none, even for a host ending in a dot', () => {
    const options = { ownDomains: ['', 'acme.test'] }
    const from = (referrer: string) =>
      arrivalKey({ url: 'https://www.acme.test/', referrer }, options)
    expect(from('https://news.example./')).toBe('referrer:news.example.')
    expect(from('https://blog.acme.test/')).toBeUndefined()
  })

  it('keeps a campaign from an excluded referrer, which is then direct otherwise', () => {
    const options = { excludedReferrers: ['pay.example'] }
    expect(
      arrivalKey(
        { url: 'https://acme.test/?utm_source=mail', referrer: 'https://pay.example/' },
        options,
      ),
    ).toBe('campaign:mail|||||')
    expect(
      acquisitionOf({ url: 'https://acme.test/', referrer: 'https://pay.example/' }, options),
    ).toMatchObject({ source: '(direct)', medium: '(none)' })
  })
})
