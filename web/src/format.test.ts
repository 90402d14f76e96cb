import { describe, expect, it } from 'vitest'
import {
  addDays,
  formatDate,
  formatDateTime,
  formatKr,
  formatMonth,
  isCprShape,
  isIsoDate,
  oreToInput,
  parseKr,
  previousMonth,
} from './format.ts'

describe('formatKr', () => {
  it('shows the scenario amounts the Danish way', () => {
    expect(formatKr(7250000n)).toBe('72.500,00 kr')
    expect(formatKr('7580000')).toBe('75.800,00 kr')
    expect(formatKr(520000n)).toBe('5.200,00 kr')
    expect(formatKr(65000)).toBe('650,00 kr')
  })
  it('keeps øre exact, also beyond the float range', () => {
    expect(formatKr(5n)).toBe('0,05 kr')
    expect(formatKr(123456789012345678901n)).toBe('1.234.567.890.123.456.789,01 kr')
    expect(formatKr(-12345n)).toBe('-123,45 kr')
  })
  it('refuses fractional øre rather than rounding silently', () => {
    expect(() => formatKr('12.5')).toThrow()
    expect(() => formatKr(1.5)).toThrow()
  })
})

describe('parseKr', () => {
  it('reads what people type', () => {
    expect(parseKr('52.000,00')).toBe(5200000n)
    expect(parseKr('52000')).toBe(5200000n)
    expect(parseKr('52 000,5 kr')).toBe(5200050n)
    expect(parseKr('6500.50')).toBe(650050n)
    expect(parseKr('6.500')).toBe(650000n)
    expect(parseKr('650,00 kr.')).toBe(65000n)
    expect(parseKr(',75')).toBe(75n)
  })
  it('rejects anything that is not a clear amount', () => {
    for (const bad of ['', 'abc', '1,234,5', '12,345', '1.23.4', '-5', '1,2,3', '12.5.6', '1.2345']) {
      expect(parseKr(bad), bad).toBeNull()
    }
  })
  it('round-trips with the editing format', () => {
    for (const ore of [0n, 1n, 99n, 100n, 650000n, 7250000n, 98765432n]) {
      expect(parseKr(oreToInput(ore))).toBe(ore)
      expect(parseKr(formatKr(ore))).toBe(ore)
    }
  })
})

describe('dates', () => {
  it('writes dates in Danish', () => {
    expect(formatDate('2026-02-01')).toBe('1. februar 2026')
    expect(formatDate('2027-01-31')).toBe('31. januar 2027')
    expect(formatDate('2026-05-16T00:00:00Z')).toBe('16. maj 2026')
    expect(formatMonth('2026-05')).toBe('maj 2026')
  })
  it('shows moments in Danish time', () => {
    // 23:30 UTC on 31 Jan is already 1 February in Copenhagen.
    expect(formatDateTime('2026-01-31T23:30:00Z')).toBe('1. februar 2026 kl. 00.30')
    expect(formatDateTime(1768388100)).toBe('14. januar 2026 kl. 11.55')
  })
  it('knows real calendar dates', () => {
    expect(isIsoDate('2028-02-29')).toBe(true)
    expect(isIsoDate('2026-02-29')).toBe(false)
    expect(isIsoDate('2026-2-1')).toBe(false)
  })
  it('does calendar arithmetic across months and years', () => {
    expect(addDays('2026-05-01', 15)).toBe('2026-05-16')
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
    expect(previousMonth('2026-03-01')).toBe('2026-02')
    expect(previousMonth('2027-01-15')).toBe('2026-12')
  })
})

describe('isCprShape', () => {
  it('accepts valid birth dates with or without a dash', () => {
    expect(isCprShape('010216-4321')).toBe(true)
    expect(isCprShape('0102164321')).toBe(true)
  })
  it('rejects impossible dates and wrong lengths', () => {
    expect(isCprShape('310216-4321')).toBe(false)
    expect(isCprShape('01021643')).toBe(false)
  })
})
