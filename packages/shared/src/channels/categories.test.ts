import { describe, expect, it } from 'vitest'
import {
  type KnownSite,
  knownSiteOf,
  knownSiteOfHost,
  SOURCE_CATEGORIES,
  sourceCategoryOf,
} from './categories'

const allSites: KnownSite[] = Object.values(SOURCE_CATEGORIES).flat()

describe('source category tables', () => {
  it('name each site once, in lower case, across all categories', () => {
    const names = allSites.flatMap((site) => [site.name, ...(site.aliases ?? [])])
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([])
    expect(names.filter((name) => name !== name.toLowerCase() || name.trim() !== name)).toEqual([])
  })

  it('list each domain once, as a bare lower-case domain or brand.*', () => {
    const domains = allSites.flatMap((site) => site.domains)
    expect(domains.filter((domain, i) => domains.indexOf(domain) !== i)).toEqual([])
    expect(
      domains.filter(
        (domain) => !/^([a-z0-9-]+\.)+([a-z]{2,}|\*)$/.test(domain) || /^www\./.test(domain),
      ),
    ).toEqual([])
  })

  it('cover the major sites of each category', () => {
    expect(SOURCE_CATEGORIES.search.length).toBeGreaterThanOrEqual(50)
    expect(SOURCE_CATEGORIES.social.length).toBeGreaterThanOrEqual(100)
    expect(SOURCE_CATEGORIES.video.length).toBeGreaterThanOrEqual(20)
    expect(SOURCE_CATEGORIES.shopping.length).toBeGreaterThanOrEqual(50)
  })
})

describe('knownSiteOf', () => {
  it('matches a name or an alias, ignoring case', () => {
    expect(knownSiteOf('Google')?.site.name).toBe('google')
    expect(knownSiteOf('FB')?.site.name).toBe('facebook')
    expect(knownSiteOf('ig')?.site.name).toBe('instagram')
    expect(knownSiteOf('x')?.site.name).toBe('twitter')
    expect(knownSiteOf(' IGShopping ')?.category).toBe('shopping')
  })

  it('matches a domain and its subdomains, on any top-level domain for brand.*', () => {
    const names = (sources: string[]) => sources.map((source) => knownSiteOf(source)?.site.name)
    expect(names(['google.com', 'www.google.co.uk', 'google.de', 'WWW.GOOGLE.COM.AU'])).toEqual([
      'google',
      'google',
      'google',
      'google',
    ])
    expect(names(['m.facebook.com', 'l.facebook.com', 'lm.facebook.com', 'fb.me'])).toEqual([
      'facebook',
      'facebook',
      'facebook',
      'facebook',
    ])
    expect(names(['t.co', 'x.com', 'mobile.twitter.com', 'lnkd.in', 'out.reddit.com'])).toEqual([
      'twitter',
      'twitter',
      'twitter',
      'linkedin',
      'reddit',
    ])
    expect(
      names(['amazon.co.jp', 'smile.amazon.com', 'ebay.com.au', 'mercadolivre.com.br']),
    ).toEqual(['amazon', 'amazon', 'ebay', 'mercadolibre'])
    expect(names(['https://www.youtube.com/watch?v=1', 'google.com.'])).toEqual([
      'youtube',
      'google',
    ])
  })

  it('prefers the most specific domain', () => {
    expect(knownSiteOf('search.naver.com')).toMatchObject({
      category: 'search',
      site: { name: 'naver' },
    })
    expect(knownSiteOf('m.blog.naver.com')).toMatchObject({
      category: 'social',
      site: { name: 'naver blog' },
    })
    expect(knownSiteOf('shopping.naver.com')?.category).toBe('shopping')
    expect(knownSiteOf('shopping.google.com')?.category).toBe('shopping')
    expect(knownSiteOf('store.shopping.yahoo.co.jp')?.category).toBe('shopping')
    expect(knownSiteOf('tieba.baidu.com')?.category).toBe('social')
    expect(knownSiteOf('groups.google.com')?.category).toBe('social')
    expect(knownSiteOf('www.baidu.com')?.category).toBe('search')
  })

  it('does not match look-alikes', () => {
    for (const source of [
      'notgoogle.com',
      'google.example.com',
      'google.com.example.net',
      'mygoogle.co.uk',
      'facebook',
    ]) {
      expect(knownSiteOf(source)?.site.name, source).not.toBe('google')
    }
    expect(sourceCategoryOf('example.com')).toBeUndefined()
    expect(sourceCategoryOf('co.uk')).toBeUndefined()
    expect(sourceCategoryOf('')).toBeUndefined()
    expect(sourceCategoryOf('brave.com')).toBeUndefined()
  })
})

describe('knownSiteOfHost', () => {
  it('matches domains only, never a name', () => {
    expect(knownSiteOfHost('x')).toBeUndefined()
    expect(knownSiteOfHost('x.com')?.site.name).toBe('twitter')
    expect(knownSiteOfHost('WWW.Google.com.')?.site.name).toBe('google')
  })
})
