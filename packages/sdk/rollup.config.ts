import nodeResolve from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'
import { defineConfig } from 'rollup'
import esbuild from 'rollup-plugin-esbuild'

/** Browsers with native async/await, object spread and URLSearchParams. */
const TARGET = 'es2020'

/** Properties the script build renames: `_` members, a hit and session state, the options. */
const INTERNAL_PROPERTIES = new RegExp(
  `^(_|(${[
    'time',
    'lastActivity',
    'arrival',
    'timeoutMinutes',
    'maxHours',
    'ownDomains',
    'excludedReferrers',
    'sessionTimeout',
    'respectGpc',
    'trackWebdriver',
    'autoPage',
    'writeKey',
    'api',
  ].join('|')})$)`,
)

const plugins = [
  nodeResolve({ browser: true, extensions: ['.ts', '.js'] }),
  // Plain assignments for class fields: no defineProperty helper, and `_` names stay mangleable.
  esbuild({ target: TARGET, tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } } }),
]

export default defineConfig([
  {
    // The script-tag build: one self-contained, minified IIFE.
    input: 'src/script.ts',
    plugins,
    output: {
      file: 'dist/touchline.js',
      format: 'iife',
      plugins: [
        terser({
          ecma: 2020,
          // Measured: hoisted function declarations and only simple functions inlined gzip smaller.
          compress: { passes: 3, unsafe_arrows: true, hoist_funs: true, inline: 1 },
          // Private members are spelled `_name` so they can be renamed safely, and so are the
          // fields below: only this build reads them (options from data-*, session state), never
          // the page, a cookie or the wire. A name on the wire (`index`, `start`) must not be here.
          // `builtins`: the regex alone decides, so `time` (also a DOM name) is renamed too.
          mangle: { properties: { regex: INTERNAL_PROPERTIES, builtins: true } },
          format: { comments: false },
        }),
      ],
    },
  },
  {
    // The ESM build for bundlers: readable; nanoid stays a dependency of the app.
    input: 'src/esm.ts',
    external: ['nanoid'],
    plugins,
    output: { file: 'dist/touchline.mjs', format: 'es' },
  },
])
