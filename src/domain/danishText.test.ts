import { describe, expect, it } from 'vitest'
import { danishDate, danishKr, danishMonth } from './danishText.ts'

describe('Danish display forms', () => {
  it('writes dates, months and amounts as the web app does', () => {
    expect(danishDate('2026-02-01')).toBe('1. februar 2026')
    expect(danishDate('2026-05-16')).toBe('16. maj 2026')
    expect(danishMonth('2026-12')).toBe('december 2026')
    expect(danishKr(7_250_000n)).toBe('72.500,00 kr')
    expect(danishKr('65000')).toBe('650,00 kr')
  })

  it('leaves what is not a date or period as it is', () => {
    expect(danishDate('2026-02-30')).toBe('2026-02-30')
    expect(danishMonth('2026-13')).toBe('2026-13')
  })
})
