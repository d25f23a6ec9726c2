import { describe, expect, it } from 'vitest'
import { domainCandidates } from './cookie'

describe('domainCandidates', () => {
  it('lists suffixes from the shortest', () => {
    expect(domainCandidates('www.example.co.uk')).toEqual([
      'uk',
      'co.uk',
      'example.co.uk',
      'www.example.co.uk',
    ])
  })

  it('includes a bare domain itself', () => {
    expect(domainCandidates('example.com')).toEqual(['com', 'example.com'])
  })

  it.each(['localhost', '127.0.0.1', '[::1]', '10.0.0.12', 'intranet'])(
    'is empty for %s (host-only cookie)',
    (host) => {
      expect(domainCandidates(host)).toEqual([])
    },
  )
})
