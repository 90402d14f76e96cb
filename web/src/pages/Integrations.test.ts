import { describe, expect, it } from 'vitest'
import { formatSeconds } from './Integrations.tsx'

describe('formatSeconds (time per transaction on Integrationer)', () => {
  it('picks a unit people read easily, in Danish number format', () => {
    expect(formatSeconds(null)).toBe('–')
    expect(formatSeconds(0.0008)).toBe('0,8 ms')
    expect(formatSeconds(0.12)).toBe('120 ms')
    expect(formatSeconds(2.44)).toBe('2,4 s')
    expect(formatSeconds(210)).toBe('3,5 min')
  })
})
