import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { IngestionWarnings } from '@touchline/shared'
import { describe, expect, it } from 'vitest'
import { useTestCollector } from '../../testing/test-collector'
import { PAYLOAD_CHARS } from './format'

const CLI = fileURLToPath(new URL('../main.ts', import.meta.url))
const WRITE_KEY = 'wk_cli_warnings_0123456789'
const SECRET_KEY = 'sk_cli_warnings_0123456789abcdefgh'
const collector = useTestCollector({ writeKey: WRITE_KEY, secretKey: SECRET_KEY })

async function touchline(...args: string[]) {
  const run = promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', CLI, 'warnings', '--url', collector().url, ...args],
    { env: { ...process.env, TOUCHLINE_SECRET_KEY: '' } },
  )
  return run.then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  )
}

const withKey = (...args: string[]) => touchline('--key', SECRET_KEY, ...args)

/** Node's fetch says `node`, a bot's user agent: a browser's unless told. */
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

async function send(body: string, userAgent = BROWSER): Promise<void> {
  const res = await fetch(`${collector().url}/v1/batch?writeKey=${WRITE_KEY}`, {
    method: 'POST',
    headers: { 'user-agent': userAgent },
    body,
  })
  expect(res.status).toBeLessThan(500)
}

const BOT_ERROR =
  'sent by a bot (user agent "curl/8.5.0"): not stored. A server sending for visitors should use the secret key, or set "context.userAgent" to the visitor\'s browser.'
const python = { library: { name: 'analytics-python', version: '2.3.3' } }
const LONG_NAME = 'x'.repeat(300)

/** `YYYY-MM-DD hh:mm:ss` as printed: the collector's clock, checked apart. */
const TIME = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g
const printedTime = (date: Date) => date.toISOString().slice(0, 19).replace('T', ' ')
const timeless = (text: string) => text.replace(TIME, 'YYYY-MM-DD hh:mm:ss')

// In order: the collector starts with nothing refused, then is sent what it refuses.
describe('touchline warnings', () => {
  it('says so when nothing was refused', async () => {
    expect(await withKey()).toEqual({
      code: 0,
      stdout: 'Nothing was refused: every event received was stored.\n',
      stderr: '',
    })
  })

  it('prints the total, the counts and the latest samples with their payloads', async () => {
    const before = new Date(Math.floor(Date.now() / 1_000) * 1_000)
    await send(
      JSON.stringify({
        batch: [
          { type: 'page', messageId: 'ok', anonymousId: 'ada' },
          {
            type: 'page',
            messageId: 'bad-1',
            anonymousId: 'ada',
            userId: { x: 1 },
            context: python,
          },
          { type: 'page', messageId: 'bad-2', anonymousId: 'ada', userId: [2], context: python },
        ],
      }),
    )
    await send(
      JSON.stringify({
        batch: [{ type: 'page', messageId: 'bot', anonymousId: 'b', name: LONG_NAME }],
      }),
      'curl/8.5.0',
    )
    await send('{"batch": [', 'curl/8.5.0')

    const { code, stdout } = await withKey()
    const after = new Date()
    expect(code).toBe(0)
    const times = stdout.match(TIME) ?? []
    expect(times).toHaveLength(6)
    for (const time of times) {
      expect(time >= printedTime(before) && time <= printedTime(after), time).toBe(true)
    }
    const botPayload = JSON.stringify({
      type: 'page',
      messageId: 'bot',
      anonymousId: 'b',
      name: LONG_NAME,
    })
    expect(timeless(stdout)).toBe(
      [
        '3 events not stored: 2 rejected: not a valid event, 1 ignored: sent by a bot; 1 request not stored: 1 refused: malformed request body',
        '',
        'reason                           library           field   count  last',
        '-------------------------------  ----------------  ------  -----  -------------------',
        'rejected: not a valid event      analytics-python  userId      2  YYYY-MM-DD hh:mm:ss',
        'ignored: sent by a bot           curl              -           1  YYYY-MM-DD hh:mm:ss',
        'refused: malformed request body  curl              -           1  YYYY-MM-DD hh:mm:ss',
        '',
        'Latest samples, newest first (3 of 3):',
        'time                 reason                           library           field   error',
        `-------------------  -------------------------------  ----------------  ------  ${'-'.repeat(BOT_ERROR.length)}`,
        'YYYY-MM-DD hh:mm:ss  refused: malformed request body  curl              -       Malformed JSON in request body: Unexpected end of JSON input',
        `YYYY-MM-DD hh:mm:ss  ignored: sent by a bot           curl              -       ${BOT_ERROR}`,
        `    ${botPayload.slice(0, PAYLOAD_CHARS - 1)}…`,
        'YYYY-MM-DD hh:mm:ss  rejected: not a valid event      analytics-python  userId  userId: must be a string or a number',
        '    {"type":"page","messageId":"bad-2","anonymousId":"ada","userId":[2],"context":{"library":{"name":"analytics-python","version":"2.3.3"}}}',
        '',
      ].join('\n'),
    )
  })

  it('shows at most --samples samples, or the API’s JSON', async () => {
    const { stdout } = await withKey('--samples', '1')
    expect(timeless(stdout).split('\n').slice(7)).toEqual([
      '',
      'Latest samples, newest first (1 of 3; --samples N for more):',
      'time                 reason                           library  field  error',
      '-------------------  -------------------------------  -------  -----  ------------------------------------------------------------',
      'YYYY-MM-DD hh:mm:ss  refused: malformed request body  curl     -      Malformed JSON in request body: Unexpected end of JSON input',
      '',
    ])
    const none = await withKey('--samples', '0')
    expect(none.stdout).not.toContain('Latest samples')

    const json = await withKey('--format', 'json')
    const api = await fetch(`${collector().url}/v1/ingestion/warnings`, {
      headers: { authorization: `Bearer ${SECRET_KEY}` },
    })
    const answer = (await api.json()) as IngestionWarnings
    expect(JSON.parse(json.stdout)).toEqual(answer)
    expect(answer.totals).toEqual({ invalid: 2, bot: 1, malformed: 1 })
  })

  it('fails with the collector’s message and a hint when the key is missing or wrong', async () => {
    expect(await touchline()).toMatchObject({
      code: 1,
      stderr:
        'touchline: ingestion warnings need the secret key: pass --key sk_… or set TOUCHLINE_SECRET_KEY (it is printed when the project is created)\n',
    })
    const hint = 'Pass the project\'s secret key ("sk_…") with --key or TOUCHLINE_SECRET_KEY.\n'
    expect(await touchline('--key', WRITE_KEY)).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `touchline: Ingestion warnings need the secret key ("sk_…"); the write key can only send events. ${hint}`,
    })
    expect(await touchline('--key', 'sk_not_the_key_0123456789abcdefghij')).toMatchObject({
      code: 1,
      stderr: `touchline: Unknown key: check the project's write key ("wk_…") or secret key ("sk_…"). ${hint}`,
    })
    expect(await touchline('--samples', 'all', '--key', SECRET_KEY)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        "option '-n, --samples <n>' argument 'all' is invalid. not a whole number ≥ 0",
      ),
    })
  })
})
