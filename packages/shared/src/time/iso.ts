const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * An ISO 8601 date (midnight) or date-time as epoch ms, or undefined for anything else —
 * `Date.parse` alone also reads `"0"`, `"1"`, `" 2020"` or `"2026-02-30"` as dates. Without
 * an offset it is UTC, so a value means the same on every machine.
 */
export function parseIsoTimestamp(text: string): number | undefined {
  const match = ISO_DATE_TIME.exec(text)
  if (!match) return undefined
  const [, year, month, day, hour = '0', minute = '0', second = '0', zone] = match
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth)
    return undefined
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined
  let iso = text.toUpperCase().replace(' ', 'T')
  if (match[4] === undefined) iso += 'T00:00'
  if (zone === undefined) iso += 'Z'
  else if (/^[+-]\d{4}$/.test(zone)) iso = `${iso.slice(0, -2)}:${iso.slice(-2)}`
  const ms = Date.parse(iso)
  return Number.isFinite(ms) ? ms : undefined
}
