// The pure entry: no zod, no Node, no DOM-only APIs. Schemas live in `@touchline/shared/schema`.
export * from './acquisition/acquisition'
export * from './attribution/group-by'
export * from './attribution/models'
export * from './attribution/report'
export * from './campaign/params'
export * from './identity/ids'
export * from './sessions/sessions'
export * from './sessions/touches'
