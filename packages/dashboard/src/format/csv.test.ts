import { describe, expect, it } from 'vitest'
import { csvName, csvOf } from './csv'

describe('csvOf (the dashboard downloads)', () => {
  it('neutralises keys a spreadsheet would read as formulas, numbers stay numbers', () => {
    expect(
      csvOf([
        ['campaign', 'conversions', 'value'],
        ['=HYPERLINK("http://x","y")', 1, -0.5],
        ["+cmd|' /C calc'!A0", 2, 0],
        ['-2+3', 3, 10],
        ['@SUM(1+1)', 4, 20],
        ['\tlead', 5, null],
        ['\rlead', 6, undefined],
      ]),
    ).toBe(
      [
        'campaign,conversions,value',
        `"'=HYPERLINK(""http://x"",""y"")",1,-0.5`,
        "'+cmd|' /C calc'!A0,2,0",
        "'-2+3,3,10",
        "'@SUM(1+1),4,20",
        "'\tlead,5,",
        `"'\rlead",6,`,
        '',
      ].join('\r\n'),
    )
  })
})

describe('csvName', () => {
  it('makes a file name from words', () => {
    expect(csvName('compare', 'demo_request', 'channel')).toBe('compare-demo_request-channel.csv')
    expect(csvName('', '')).toBe('export.csv')
  })
})
