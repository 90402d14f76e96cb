import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { assertNoPersonalData, PersonalDataError, scanForPersonalData } from './personalData.ts'

interface Corpus {
  names: string[]
  items: { id: string; note: string; payload: unknown; expect: string[] }[]
}

const corpus = JSON.parse(
  readFileSync(new URL('../../test/fixtures/personal-data-corpus.json', import.meta.url), 'utf8'),
  (_k, v) => (v && typeof v === 'object' && '$bigint' in v ? BigInt(v.$bigint) : v),
) as Corpus

describe('personal-data guard: corpus', () => {
  it('reaches the measured precision and recall', () => {
    const kinds = ['cpr', 'name', 'email', 'free_text', 'all'] as const
    const m = Object.fromEntries(kinds.map((k) => [k, { tp: 0, fp: 0, fn: 0 }]))
    const misses: string[] = []
    for (const item of corpus.items) {
      const found = new Set(scanForPersonalData(item.payload, { names: corpus.names }).map((f) => f.kind))
      const expected = new Set(item.expect)
      for (const k of kinds.slice(0, -1)) {
        const e = expected.has(k)
        const f = found.has(k as never)
        const bucket = e && f ? 'tp' : f ? 'fp' : e ? 'fn' : null
        if (!bucket) continue
        m[k]![bucket]++
        m.all![bucket]++
        if (bucket !== 'tp') misses.push(`${bucket.toUpperCase()} ${k} ${item.id} (${item.note})`)
      }
    }
    const rate = (a: number, b: number) => (b === 0 ? 1 : a / b)
    const figures = Object.fromEntries(
      kinds.map((k) => {
        const { tp, fp, fn } = m[k]!
        return [k, { precision: rate(tp, tp + fp), recall: rate(tp, tp + fn), tp, fp, fn }]
      }),
    )
    console.log(
      `personal-data corpus (${corpus.items.length} items):\n${kinds
        .map((k) => {
          const f = figures[k]!
          return `  ${k.padEnd(9)} precision ${f.precision.toFixed(3)}  recall ${f.recall.toFixed(3)}  (tp ${f.tp}, fp ${f.fp}, fn ${f.fn})`
        })
        .join('\n')}\n  misses:\n    ${misses.join('\n    ')}`,
    )
    // The figures reached when this corpus was written; a change to the rules may not lower them.
    expect(figures.cpr!.precision).toBeGreaterThanOrEqual(1)
    expect(figures.cpr!.recall).toBeGreaterThanOrEqual(0.875)
    expect(figures.name!.precision).toBeGreaterThanOrEqual(0.888)
    expect(figures.name!.recall).toBeGreaterThanOrEqual(1)
    expect(figures.all!.precision).toBeGreaterThanOrEqual(0.97)
    expect(figures.all!.recall).toBeGreaterThanOrEqual(0.92)
  })
})

describe('personal-data guard', () => {
  it('refuses a payload with a typed error that names the place but not the value', () => {
    try {
      assertNoPersonalData({ lines: [{ ref: '070761-4285' }] })
      expect.fail('accepted')
    } catch (e) {
      expect(e).toBeInstanceOf(PersonalDataError)
      const err = e as PersonalDataError
      expect(err.code).toBe('PERSONAL_DATA_IN_PAYLOAD')
      expect(err.findings[0]).toMatchObject({ kind: 'cpr', path: '$.lines[0].ref' })
      expect(err.message).not.toContain('4285')
      expect(JSON.stringify(err.findings)).not.toContain('070761')
    }
  })

  it('passes a clean ledger payload', () => {
    expect(() =>
      assertNoPersonalData(
        {
          id: `0x${'ab'.repeat(32)}`,
          priceOre: 5_200_000n,
          start: 1_769_904_000,
          unit: 'month',
          lines: [1, 2],
        },
        { names: ['Preben Hansen'] },
      ),
    ).not.toThrow()
  })

  it('raises confidence for modulus-11 and context, lowers it for contrary context', () => {
    const conf = (s: string) =>
      scanForPersonalData(s, { threshold: 0 }).find((f) => f.kind === 'cpr')?.confidence ?? 0
    expect(conf('1501164002')).toBe(0.4)
    expect(conf('0707614285')).toBe(0.6)
    expect(conf('cpr 1501164002')).toBe(0.8)
    expect(conf('Fakturanr. 1501164002')).toBeLessThan(0.5)
    expect(conf('3213164002')).toBe(0) // no such date
  })

  it('finds names with Danish letters spelled either way', () => {
    const names = ['Søren Ærø']
    expect(scanForPersonalData('soeren', { names }).map((f) => f.kind)).toEqual(['name'])
    expect(scanForPersonalData('SØREN', { names }).map((f) => f.kind)).toEqual(['name'])
  })
})
