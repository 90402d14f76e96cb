import { describe, expect, it } from 'vitest'
import { ageAt, cprBirthDate, InvalidCprError, isValidCpr, modulus11, normaliseCpr, parseCpr } from './cpr.ts'

describe('parseCpr', () => {
  it('accepts the three written forms and reads date and sex', () => {
    for (const form of ['0707614285', '070761-4285', '070761 4285']) {
      const c = parseCpr(form)
      expect(c.digits).toBe('0707614285')
      expect(c.birthDate).toBe('1961-07-07')
      expect(c.sex).toBe('male')
      expect(c.modulus11).toBe(true)
    }
  })

  it('applies the century rule of the 7th digit', () => {
    expect(cprBirthDate('0101000000')).toBe('1900-01-01') // 0-3 → 1900s
    expect(cprBirthDate('0101364000')).toBe('2036-01-01') // 4, yy ≤ 36 → 2000s
    expect(cprBirthDate('0101374000')).toBe('1937-01-01') // 4, yy ≥ 37 → 1900s
    expect(cprBirthDate('0101575000')).toBe('2057-01-01') // 5-8, yy ≤ 57 → 2000s
    expect(cprBirthDate('0101588000')).toBe('1858-01-01') // 5-8, yy ≥ 58 → 1800s
    expect(cprBirthDate('0101169000')).toBe('2016-01-01') // 9, yy ≤ 36 → 2000s
    expect(cprBirthDate('0101999000')).toBe('1999-01-01') // 9, yy ≥ 37 → 1900s
  })

  it('checks the date against the century (29 February only in leap years)', () => {
    expect(isValidCpr('290200-4001')).toBe(true) // 2000 is a leap year
    expect(isValidCpr('290200-1001')).toBe(false) // digit 1 → 1900, not a leap year
    expect(isValidCpr('290216-4001')).toBe(true)
    expect(isValidCpr('290217-4001')).toBe(false)
  })

  it('does not require modulus 11 (post-2007 numbers may fail it)', () => {
    const c = parseCpr('150116-4002')
    expect(c.modulus11).toBe(false)
    expect(c.birthDate).toBe('2016-01-15')
    expect(c.sex).toBe('female')
  })

  it('rejects bad input with a reason and without echoing the number', () => {
    const cases: [string, string][] = [
      ['12345', 'format'],
      ['0707614285x', 'format'],
      ['070761--4285', 'format'],
      ['320116-4002', 'date'],
      ['001316-4002', 'date'],
      ['310416-4002', 'date'],
    ]
    for (const [input, reason] of cases) {
      try {
        parseCpr(input)
        expect.fail(`${input} accepted`)
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidCprError)
        expect((e as InvalidCprError).reason).toBe(reason)
        expect((e as Error).message).not.toContain(input.replace(/\D/g, '').slice(0, 6))
      }
    }
  })

  it('computes modulus 11 with the weights 4,3,2,7,6,5,4,3,2,1', () => {
    expect(modulus11('0707614285')).toBe(true)
    expect(modulus11('0707614286')).toBe(false)
  })

  it('normalises only one separator between date and serial', () => {
    expect(normaliseCpr(' 070761-4285 ')).toBe('0707614285')
    expect(normaliseCpr('07-07-61-4285')).toBeNull()
  })
})

describe('ageAt', () => {
  it('counts whole years, birthday inclusive', () => {
    expect(ageAt('150116-4002', '2026-01-14')).toBe(9)
    expect(ageAt('150116-4002', '2026-01-15')).toBe(10)
  })

  it('handles 29 February births', () => {
    expect(ageAt('290216-4001', '2017-02-28')).toBe(0)
    expect(ageAt('290216-4001', '2017-03-01')).toBe(1)
  })

  it('refuses dates before birth', () => {
    expect(() => ageAt('150116-4002', '2015-01-01')).toThrow()
  })
})
