/**
 * Builds the dashboard into dist/: app.js (one minified ES module, Chart.js included),
 * app.css and index.html, whose asset URLs carry a content hash so browsers never keep a
 * stale copy.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('.', import.meta.url))
const dist = `${root}dist`

rmSync(dist, { recursive: true, force: true })
mkdirSync(dist, { recursive: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'src/main.ts', 'app-style': 'src/app.css' },
  outdir: 'dist',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
})
// esbuild names a CSS entry after its key: app-style.css → app.css.
const css = readFileSync(`${dist}/app-style.css`)
rmSync(`${dist}/app-style.css`)
writeFileSync(`${dist}/app.css`, css)

const js = readFileSync(`${dist}/app.js`)
const version = createHash('sha256').update(js).update(css).digest('hex').slice(0, 12)
const html = readFileSync(`${root}src/index.html`, 'utf8').replaceAll('{{VERSION}}', version)
writeFileSync(`${dist}/index.html`, html)

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
console.log(
  `dashboard: dist/app.js ${kb(js.length)}, dist/app.css ${kb(css.length)}, dist/index.html (${version})`,
)
void result
