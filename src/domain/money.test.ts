import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  divHalfUp,
  formatDanish,
  formatIso,
  formatKroner,
  formatKronerPlain,
  MoneyFormatError,
  mulDivHalfUp,
  parseIso2,
  parseKroner,
  parseOre,
  sumOre,
} from './money.ts'

describe('parseKroner', () => {
  it.each([
    ['72.500,00 kr', 7_250_000n],
    ['72500', 7_250_000n],
    ['72.500,-', 7_250_000n],
    ['72 500,5', 7_250_050n],
    ['kr. 1.234,56', 123_456n],
    ['DKK 10', 1_000n],
    ['650,00 kr.', 65_000n],
    ['72500.00', 7_250_000n],
    ['1500.5', 150_050n],
    ['1.500', 150_000n],
    ['-12,50', -1_250n],
    ['0,01', 1n],
    ['123.456.789.012.345.678,99', 12_345_678_901_234_567_899n],
  ])('%s → %s øre', (input, ore) => {
    expect(parseKroner(input)).toBe(ore)
  })

  it.each(['', 'kr', '12,345', '1.50,00', '12.5.0', 'abc', '1,2,3', '12.3456', '1e5', '0x10', '--1'])(
    'rejects %j',
    (input) => {
      expect(() => parseKroner(input)).toThrow(MoneyFormatError)
    },
  )
})

describe('formatting', () => {
  it('formats the scenario amounts the Danish way and the ISO 20022 way', () => {
    expect(formatDanish(7_250_000n)).toBe('72.500,00')
    expect(formatKroner(520_000n)).toBe('5.200,00 kr.')
    expect(formatKronerPlain(5_200_000n)).toBe('52.000 kr.')
    expect(formatKronerPlain(65_050n)).toBe('650,50 kr.')
    expect(formatKronerPlain(-100n)).toBe('-1 kr.')
    expect(formatIso(7_580_000n)).toBe('75800.00')
    expect(formatIso(1n)).toBe('0.01')
    expect(formatDanish(-123_456_789n)).toBe('-1.234.567,89')
    expect(formatDanish(0n)).toBe('0,00')
  })

  it('round-trips any amount through both forms', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (ore) => {
        expect(parseKroner(formatDanish(ore))).toBe(ore)
        expect(parseKroner(formatKroner(ore))).toBe(ore)
        expect(parseIso2(formatIso(ore))).toBe(ore)
      }),
    )
  })

  it('parseIso2 insists on exactly two decimals', () => {
    for (const bad of ['72500', '72500.5', '72500.000', '72,500.00', ' 1.00']) {
      expect(() => parseIso2(bad)).toThrow(MoneyFormatError)
    }
  })

  it('parseOre reads int8 strings from the store', () => {
    expect(parseOre('7250000')).toBe(7_250_000n)
    expect(parseOre(42)).toBe(42n)
    expect(() => parseOre('72.5')).toThrow(MoneyFormatError)
    expect(() => parseOre(0.5)).toThrow(MoneyFormatError)
  })
})

describe('divHalfUp', () => {
  it('rounds ties away from zero and everything else to nearest', () => {
    expect(divHalfUp(5n, 2n)).toBe(3n)
    expect(divHalfUp(7n, 3n)).toBe(2n)
    expect(divHalfUp(8n, 3n)).toBe(3n)
    expect(divHalfUp(-5n, 2n)).toBe(-3n)
    expect(divHalfUp(5n, -2n)).toBe(-3n)
    expect(() => divHalfUp(1n, 0n)).toThrow(RangeError)
  })

  it('agrees with the Solidity form (n*2+d)/(2d) and is within half a unit of the exact quotient', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 24n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (n, d) => {
          const q = divHalfUp(n, d)
          expect(q).toBe((n * 2n + d) / (d * 2n))
          // |q − n/d| ≤ 1/2  ⇔  |2qd − 2n| ≤ d, with ties going up
          const diff = 2n * q * d - 2n * n
          expect(diff <= d && diff > -d).toBe(true)
        },
      ),
    )
  })

  it('mulDivHalfUp rounds once at the end', () => {
    expect(mulDivHalfUp(5_200_000n, 15n, 28n)).toBe(2_785_714n)
    expect(mulDivHalfUp(1n, 1n, 2n)).toBe(1n)
    expect(sumOre([1n, 2n, 3n])).toBe(6n)
  })
})
