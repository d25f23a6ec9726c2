import { existsSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

/** PRODUCT.md §4: the complete script-tag build is at most 5 KB gzip, with a goal of 4 KB: held here. */
const GZIP_BUDGET_BYTES = 4 * 1024
const SCRIPT = new URL('../dist/touchline.js', import.meta.url)
const MODULE = new URL('../dist/touchline.mjs', import.meta.url)
/** zod must never reach the browser: `@touchline/shared/schema` is imported for types only. */
const FORBIDDEN = ['zod', 'ZodError', 'safeParse', 'console.']

function read(file: URL): string {
  if (!existsSync(file)) throw new Error(`${file.pathname} is missing: run pnpm build first`)
  return readFileSync(file, 'utf8')
}

describe('dist/touchline.js', () => {
  it('is under the gzip budget', () => {
    const size = gzipSync(read(SCRIPT), { level: 9 }).length
    console.info(`dist/touchline.js: ${size} B gzip (budget ${GZIP_BUDGET_BYTES} B)`)
    expect(size, `dist/touchline.js is ${size} B gzip`).toBeLessThanOrEqual(GZIP_BUDGET_BYTES)
  })

  it.each(FORBIDDEN)('does not contain %s', (identifier) => {
    expect(read(SCRIPT)).not.toContain(identifier)
  })

  it('has no unmangled private members', () => {
    expect(read(SCRIPT).match(/\.\s*_[A-Za-z]\w*|["']_[A-Za-z]\w*["']/g)).toBeNull()
  })
})

describe('dist/touchline.mjs', () => {
  it.each(FORBIDDEN)('does not contain %s', (identifier) => {
    expect(read(MODULE)).not.toContain(identifier)
  })
})
