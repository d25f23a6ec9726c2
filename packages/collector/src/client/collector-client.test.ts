import { describe, expect, it } from 'vitest'
import { keyFromAuthorization } from '../auth/keys'
import { closedUrl } from '../testing/closed-port'
import { answerError, apiUrl, authorizationOf, cannotReach, networkError } from './collector-client'

describe('apiUrl', () => {
  it('joins the path to the base URL, keeping a path prefix and dropping trailing slashes', () => {
    expect(apiUrl('http://127.0.0.1:8787', '/v1/batch')).toBe('http://127.0.0.1:8787/v1/batch')
    expect(apiUrl('https://acme.com/touchline//', '/v1/batch')).toBe(
      'https://acme.com/touchline/v1/batch',
    )
  })

  it('adds the defined parameters as a query', () => {
    expect(
      apiUrl('http://c', '/v1/reports/compare', { conversion: 'demo request', from: undefined }),
    ).toBe('http://c/v1/reports/compare?conversion=demo+request')
    expect(apiUrl('http://c', '/v1/reports/compare', { from: undefined })).toBe(
      'http://c/v1/reports/compare',
    )
  })
})

describe('authorizationOf', () => {
  it('sends the key as the collector reads it back', () => {
    const key = 'sk_test_0123456789abcdef'
    expect(authorizationOf(key)).toBe(`Basic ${btoa(`${key}:`)}`)
    expect(keyFromAuthorization(authorizationOf(key))).toBe(key)
  })
})

describe('answerError', () => {
  it("reads the JSON answer's error, else the body's text, else the status", () => {
    expect(answerError(400, '{"success":false,"error":"\\"from\\" must be a date"}')).toBe(
      '"from" must be a date',
    )
    expect(answerError(502, `  Bad gateway${'!'.repeat(300)}\n`)).toBe(
      `Bad gateway${'!'.repeat(189)}`,
    )
    expect(answerError(500, '{"success":false}')).toBe('HTTP 500')
    expect(answerError(503, '  ')).toBe('HTTP 503')
  })
})

describe('networkError', () => {
  it("names a refused connection by its cause's code", async () => {
    const error = await fetch(await closedUrl()).catch((caught: unknown) => caught)
    expect(networkError(error)).toBe('ECONNREFUSED')
  })

  it('names a timeout by its limit, when it has one', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect(networkError(timeout, 60_000)).toBe('no answer within 60 s')
    expect(networkError('down')).toBe('down')
  })
})

describe('cannotReach', () => {
  it('names the URL and the cause', async () => {
    const url = await closedUrl()
    const error = await fetch(url).catch((caught: unknown) => caught)
    expect(cannotReach(url, error)).toBe(`cannot reach the collector at ${url} (ECONNREFUSED)`)
  })
})
