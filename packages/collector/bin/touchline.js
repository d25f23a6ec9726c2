#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the collector needs no separate compile step.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
