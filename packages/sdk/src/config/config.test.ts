import { describe, expect, it } from 'vitest'
import { resolveApi } from './config'

const PAGE = 'https://www.example.com/pricing?plan=pro'

describe('resolveApi', () => {
  it('uses the origin of the script src by default', () => {
    expect(resolveApi('https://collector.example.net/sdk.js?v=1', null, PAGE)).toBe(
      'https://collector.example.net',
    )
  })

  it('resolves a relative script src against the page', () => {
    expect(resolveApi('/sdk.js', null, PAGE)).toBe('https://www.example.com')
  })

  it('takes data-api as a path on the page origin (first-party proxy)', () => {
    expect(resolveApi('https://collector.example.net/sdk.js', '/t', PAGE)).toBe(
      'https://www.example.com/t',
    )
  })

  it('takes data-api as an absolute URL, without a trailing slash', () => {
    expect(resolveApi('https://cdn.example.org/sdk.js', 'https://c.example.net/base/', PAGE)).toBe(
      'https://c.example.net/base',
    )
  })

  it('ignores an empty data-api', () => {
    expect(resolveApi('https://collector.example.net/sdk.js', '', PAGE)).toBe(
      'https://collector.example.net',
    )
  })
})
