import { type Acquisition, NOT_SET } from '../acquisition/acquisition'

/** The fields of a touch a custom channel rule can test. */
export const CHANNEL_RULE_FIELDS = [
  'source',
  'medium',
  'campaign',
  'content',
  'term',
  'landingPage',
  'clickId',
] as const
export type ChannelRuleField = (typeof CHANNEL_RULE_FIELDS)[number]

/**
 * A project's own channel rule, tried before the GA4 defaults (PRODUCT.md §6), first
 * matching rule wins. A touch gets `channel` when every condition of `when` matches; a
 * condition is a regular expression searched case-insensitively in the field (anchor it,
 * `^…$`, to match the whole value). A touch without a click ID has `clickId` `(not set)`.
 *
 * @example { channel: 'Partners', when: { source: '^(acme|globex)\\.com$', medium: '^referral$' } }
 */
export interface ChannelRule {
  channel: string
  when: Partial<Record<ChannelRuleField, string>>
}

export type ChannelRulesResult =
  | { success: true; data: ChannelRule[] }
  | { success: false; errors: string[] }

export const MAX_CHANNEL_RULES = 100
const MAX_CHANNEL_LENGTH = 100
const MAX_PATTERN_LENGTH = 1_000

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i')
    return undefined
  } catch (error) {
    // V8 says "Invalid regular expression: /(/i: Unterminated group": keep the reason.
    const message = error instanceof Error ? error.message : String(error)
    return message.slice(message.lastIndexOf(': ') + 2)
  }
}

/**
 * Checks a project's channel rules, e.g. before saving them: the rules (channel names
 * trimmed), or one error per problem, each naming its rule.
 */
export function validateChannelRules(input: unknown): ChannelRulesResult {
  if (!Array.isArray(input)) return { success: false, errors: ['channel rules must be a list'] }
  if (input.length > MAX_CHANNEL_RULES) {
    return { success: false, errors: [`at most ${MAX_CHANNEL_RULES} channel rules are allowed`] }
  }
  const errors: string[] = []
  const data: ChannelRule[] = []
  input.forEach((rule: unknown, i) => {
    const channel = isRecord(rule) && typeof rule.channel === 'string' ? rule.channel.trim() : ''
    const label = `rule ${i + 1}${channel ? ` (${JSON.stringify(channel)})` : ''}`
    if (!isRecord(rule)) {
      errors.push(`${label} must be an object { channel, when }`)
      return
    }
    const before = errors.length
    if (!channel) errors.push(`${label}: channel must be a non-empty string`)
    else if (channel.length > MAX_CHANNEL_LENGTH) {
      errors.push(`${label}: channel must be at most ${MAX_CHANNEL_LENGTH} characters`)
    }
    const when: ChannelRule['when'] = {}
    if (!isRecord(rule.when) || Object.keys(rule.when).length === 0) {
      errors.push(
        `${label}: when must be an object with at least one of ${CHANNEL_RULE_FIELDS.join(', ')}`,
      )
    } else {
      for (const [field, pattern] of Object.entries(rule.when)) {
        if (!(CHANNEL_RULE_FIELDS as readonly string[]).includes(field)) {
          errors.push(
            `${label}: when.${field} is not a field a rule can test (${CHANNEL_RULE_FIELDS.join(', ')})`,
          )
        } else if (typeof pattern !== 'string') {
          errors.push(`${label}: when.${field} must be a regular expression, as a string`)
        } else if (pattern.length > MAX_PATTERN_LENGTH) {
          errors.push(`${label}: when.${field} must be at most ${MAX_PATTERN_LENGTH} characters`)
        } else {
          const invalid = regexError(pattern)
          if (invalid !== undefined) {
            errors.push(
              `${label}: when.${field} ${JSON.stringify(pattern)} is not a valid regular expression (${invalid})`,
            )
          } else {
            when[field as ChannelRuleField] = pattern
          }
        }
      }
    }
    if (errors.length === before) data.push({ channel, when })
  })
  return errors.length > 0 ? { success: false, errors } : { success: true, data }
}

interface CompiledRule {
  channel: string
  tests: [ChannelRuleField, RegExp][]
}

// Reports classify every touch with the same rules array: compile it once.
const compiled = new WeakMap<readonly ChannelRule[], CompiledRule[]>()

function compile(rules: readonly ChannelRule[]): CompiledRule[] {
  const out: CompiledRule[] = []
  for (const rule of rules) {
    const tests: [ChannelRuleField, RegExp][] = []
    let valid = rule.channel.length > 0
    for (const field of CHANNEL_RULE_FIELDS) {
      const pattern = rule.when[field]
      if (pattern === undefined) continue
      try {
        tests.push([field, new RegExp(pattern, 'i')])
      } catch {
        valid = false
      }
    }
    // A rule that does not validate never matches, rather than failing a report.
    if (valid && tests.length > 0) out.push({ channel: rule.channel, tests })
  }
  return out
}

/** The channel of the first custom rule that matches the touch, if any. */
export function customChannelOf(
  acquisition: Acquisition,
  rules: readonly ChannelRule[],
): string | undefined {
  if (rules.length === 0) return undefined
  let compiledRules = compiled.get(rules)
  if (!compiledRules) {
    compiledRules = compile(rules)
    compiled.set(rules, compiledRules)
  }
  for (const rule of compiledRules) {
    if (rule.tests.every(([field, regex]) => regex.test(acquisition[field] ?? NOT_SET))) {
      return rule.channel
    }
  }
  return undefined
}
