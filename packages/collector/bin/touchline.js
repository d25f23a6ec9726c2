#!/usr/bin/env node
// Loads the TypeScript CLI through tsx's loader in this same process, so the collector needs
// no compile step and no runner process in front of it: the process a terminal or a service
// manager signals (SIGTERM, Ctrl-C) is the collector itself, which drains before it exits.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
