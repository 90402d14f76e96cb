import { describe, expect, it } from 'vitest'
import { anchorHash, anchorRecord } from './anchor.ts'
import { CanonicalJsonError, canonicalBytes, canonicalJson } from './canonicalJson.ts'

describe('canonicalJson', () => {
  it('sorts keys at every level and drops whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    )
  })

  it('is independent of insertion order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }))
  })

  it('writes bigint as a decimal string, dates as ISO and bytes as 0x hex', () => {
    expect(
      canonicalJson({ amount: 7250000n, at: new Date('2026-01-12T00:00:00Z'), b: new Uint8Array([1, 255]) }),
    ).toBe('{"amount":"7250000","at":"2026-01-12T00:00:00.000Z","b":"0x01ff"}')
  })

  it('omits undefined properties and writes undefined array slots as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}')
  })

  it('refuses floats, NaN and class instances', () => {
    expect(() => canonicalJson({ price: 1.5 })).toThrow(CanonicalJsonError)
    expect(() => canonicalJson(Number.NaN)).toThrow(CanonicalJsonError)
    expect(() => canonicalJson(new Map())).toThrow(CanonicalJsonError)
  })

  it('escapes strings as JSON and encodes UTF-8', () => {
    expect(canonicalJson('Østervold "A"\n')).toBe('"Østervold \\"A\\"\\n"')
    expect(Array.from(canonicalBytes('Ø'))).toEqual([0x22, 0xc3, 0x98, 0x22])
  })
})

describe('anchor', () => {
  const salt = new Uint8Array(32).fill(7)
  it('depends on salt and content', () => {
    const a = anchorRecord(salt, { id: 'x', n: 1n })
    expect(a).toMatch(/^0x[0-9a-f]{64}$/)
    expect(anchorRecord(salt, { n: 1n, id: 'x' })).toBe(a)
    expect(anchorRecord(new Uint8Array(32).fill(8), { id: 'x', n: 1n })).not.toBe(a)
    expect(anchorRecord(salt, { id: 'x', n: 2n })).not.toBe(a)
  })
  it('refuses salts of the wrong size', () => {
    expect(() => anchorHash(new Uint8Array(16), new Uint8Array())).toThrow()
  })
})
