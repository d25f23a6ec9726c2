/**
 * SDK size: `pnpm bench` (from the repository root) prints the gzip and brotli sizes of the
 * builds at maximum compression, against the budget of PRODUCT.md §4 (the script-tag build
 * at most 5 KB gzip, goal 4 KB). The budget itself is enforced by `src/size.test.ts`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const BUDGET_BYTES = 5 * 1024
const GOAL_BYTES = 4 * 1024
const FILES = ['dist/touchline.js', 'dist/touchline.mjs']

const rows = FILES.map((name) => {
  const file = new URL(`../${name}`, import.meta.url)
  if (!existsSync(file)) throw new Error(`${name} is missing: run pnpm build first`)
  const source = readFileSync(file)
  return {
    file: name,
    raw: source.length,
    gzip: gzipSync(source, { level: 9 }).length,
    brotli: brotliCompressSync(source, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
      },
    }).length,
  }
})

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`.padStart(9)
console.log(`SDK size, maximum compression (budget ${BUDGET_BYTES} B gzip, goal ${GOAL_BYTES} B)`)
console.log(`${'file'.padEnd(20)}${'raw'.padStart(9)}${'gzip'.padStart(9)}${'brotli'.padStart(9)}`)
for (const { file, raw, gzip, brotli } of rows) {
  console.log(`${file.padEnd(20)}${kb(raw)}${kb(gzip)}${kb(brotli)}  (${gzip} B gzip)`)
}
// The budget is the script tag's: the ESM build is unminified (the app's bundler minifies it).
const [script] = rows
if (script) {
  const share = ((script.gzip / BUDGET_BYTES) * 100).toFixed(0)
  const goal =
    script.gzip <= GOAL_BYTES ? 'within the goal' : `${script.gzip - GOAL_BYTES} B over the goal`
  console.log(`${script.file}: ${share} % of the budget, ${goal}`)
}
