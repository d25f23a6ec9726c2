import { describe, expect, it } from 'vitest'
import { csvCell, csvOf } from './csv'

describe('csvCell', () => {
  it('prefixes text that a spreadsheet would read as a formula with a quote', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0")
    expect(csvCell('-2+3')).toBe("'-2+3")
    expect(csvCell('@SUM(1+1)')).toBe("'@SUM(1+1)")
    expect(csvCell('\t=1')).toBe("'\t=1")
    expect(csvCell('\r=1')).toBe(`"'\r=1"`)
  })

  it('leaves other text as it is, quoting only what RFC 4180 needs', () => {
    expect(csvCell('linkedin')).toBe('linkedin')
    expect(csvCell('google / cpc')).toBe('google / cpc')
    expect(csvCell('a=b')).toBe('a=b')
    expect(csvCell("it's")).toBe("it's")
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('')).toBe('')
  })

  it('writes finite numbers as numbers, negative ones too', () => {
    expect(csvCell(-0.5)).toBe('-0.5')
    expect(csvCell(-12000)).toBe('-12000')
    expect(csvCell(0)).toBe('0')
    expect(csvCell(1 / 3)).toBe('0.3333333333333333')
    expect(csvCell(1e21)).toBe('1e+21')
  })

  it('writes a non-finite number as text, neutralised like any text', () => {
    expect(csvCell(Number.NaN)).toBe('NaN')
    expect(csvCell(Number.POSITIVE_INFINITY)).toBe('Infinity')
    expect(csvCell(Number.NEGATIVE_INFINITY)).toBe("'-Infinity")
  })

  it('writes null and undefined as empty cells', () => {
    expect(csvCell(null)).toBe('')
    expect(csvCell(undefined)).toBe('')
  })
})

describe('csvOf', () => {
  it('writes the header and the rows, CRLF after each line', () => {
    expect(
      csvOf([
        ['source', 'conversions', 'value'],
        ['=1+1', 2, -100],
        ['linkedin', 0.5, null],
      ]),
    ).toBe("source,conversions,value\r\n'=1+1,2,-100\r\nlinkedin,0.5,\r\n")
  })

  it('writes no lines as an empty text', () => {
    expect(csvOf([])).toBe('')
  })
})
