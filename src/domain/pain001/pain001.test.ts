import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatIso } from '../money.ts'
import {
  buildPaymentFile,
  danishIban,
  endToEndIdFor,
  isValidIban,
  PaymentFileError,
  type PaymentFileInput,
  type PaymentFilePayment,
  validatePain001,
} from './index.ts'

const placement = '0x7a3f9c0e11d2b4a5968877665544332211000000000000000000000000000001'
const contact = '0x51c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2'

// The February 2026 run of the scenario: Østervold (IBAN) and Samværskonsulenterne (reg.nr + account).
const february: PaymentFileInput = {
  msgId: 'TILLID-169-202602-1',
  createdAt: new Date('2026-03-01T07:00:00Z'),
  executionDate: '2026-03-02',
  debtor: { name: 'Høje-Taastrup Kommune', iban: danishIban('2000', '1234567890'), bic: 'NDEADKKK' },
  payments: [
    {
      endToEndId: endToEndIdFor(placement, '2026-02'),
      amountOre: 7_250_000n,
      creditor: { name: 'Østervold', iban: danishIban('3000', '4400112233') },
      remittance: 'Tillid 2026-02 anbringelsesaftale',
    },
    {
      endToEndId: endToEndIdFor(contact, '2026-02', 'I'),
      amountOre: 520_000n,
      creditor: { name: 'Samværskonsulenterne ApS', regNr: '1551', account: '3456789' },
      remittance: 'Tillid 2026-02 faktura samvær',
    },
  ],
}

const tag = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}[^>]*>([^<]*)</${name}>`, 'g'))].map((m) => m[1])

describe('buildPaymentFile', () => {
  it('writes the February run with exact count, control sum and two-decimal DKK amounts', () => {
    const f = buildPaymentFile(february)
    expect(f.nbOfTxs).toBe(2)
    expect(f.ctrlSum).toBe(7_770_000n)
    expect(f.ctrlSumText).toBe('77700.00')
    expect(tag(f.xml, 'CtrlSum')).toEqual(['77700.00', '77700.00'])
    expect(tag(f.xml, 'InstdAmt')).toEqual(['72500.00', '5200.00'])
    expect(f.xml).toContain('<InstdAmt Ccy="DKK">72500.00</InstdAmt>')
    expect(f.xml).toMatch(/<ReqdExctnDt>\s*<Dt>2026-03-02<\/Dt>/)
    expect(tag(f.xml, 'CreDtTm')).toEqual(['2026-03-01T07:00:00Z'])
    expect(validatePain001(f.xml)).toEqual({ ok: true, nbOfTxs: 2, ctrlSum: 7_770_000n })
  })

  it('writes a Danish reg.nr + account as BBAN with the reg.nr under DKNCC, and an IBAN as IBAN', () => {
    const xml = buildPaymentFile(february).xml
    expect(xml).toMatch(/<ClrSysId>\s*<Cd>DKNCC<\/Cd>\s*<\/ClrSysId>\s*<MmbId>1551<\/MmbId>/)
    expect(xml).toMatch(/<Othr>\s*<Id>3456789<\/Id>\s*<SchmeNm>\s*<Cd>BBAN<\/Cd>/)
    expect(tag(xml, 'IBAN')).toEqual(['DK2720001234567890', danishIban('3000', '4400112233')])
  })

  it('escapes names and texts instead of breaking the XML', () => {
    const name = 'Smith & Søn <ApS> "A/S"'
    const f = buildPaymentFile({
      ...february,
      payments: [
        { ...february.payments[0]!, creditor: { name, iban: 'DK5000400440116243' }, remittance: "a<b & c'd" },
      ],
    })
    expect(f.xml).toContain('Smith &amp; Søn &lt;ApS&gt;')
    expect(validatePain001(f.xml).ok).toBe(true)
  })

  it('refuses unusable input, naming every problem', () => {
    const p = february.payments[0]!
    const bad: PaymentFileInput = {
      ...february,
      msgId: 'x'.repeat(36),
      executionDate: '2026-02-30',
      debtor: { name: '', iban: 'DK5000400440116244' },
      payments: [
        { ...p, amountOre: 0n },
        { ...p, amountOre: -5n, endToEndId: p.endToEndId },
        {
          ...p,
          endToEndId: 'A B',
          creditor: { name: 'X', iban: 'DK5000400440116243', regNr: '1234', account: '1' },
        },
        {
          ...p,
          endToEndId: 'E4',
          creditor: { name: 'Y', regNr: '12', account: '12345678901' },
          remittance: 'r'.repeat(141),
        },
        { ...p, endToEndId: 'E5', creditor: { name: 'Z\u0007' } },
        { ...p, endToEndId: 'E6', amountOre: 100 as unknown as bigint },
      ],
    }
    let error: PaymentFileError | undefined
    try {
      buildPaymentFile(bad)
    } catch (e) {
      error = e as PaymentFileError
    }
    expect(error).toBeInstanceOf(PaymentFileError)
    const issues = error!.issues.join('\n')
    for (const expected of [
      'msgId',
      'executionDate',
      'debtor.name is required',
      'debtor.iban is not a valid IBAN',
      'payments[0].amountOre must be greater than 0',
      'payments[1].amountOre must be greater than 0',
      'payments[1].endToEndId',
      'payments[2].endToEndId must be',
      'payments[2].creditor: give either iban or regNr+account',
      'payments[3].creditor.regNr must be 4 digits',
      'payments[3].creditor.account must be 1–10 digits',
      'payments[3].remittance is longer than 140',
      'payments[4].creditor.name contains control characters',
      'payments[4].creditor needs an iban',
      'payments[5].amountOre must be a bigint',
    ]) {
      expect(issues).toContain(expected)
    }
    expect(() => buildPaymentFile({ ...february, payments: [] })).toThrow(PaymentFileError)
  })
})

describe('endToEndIdFor', () => {
  it('is traceable to agreement and month and at most 35 characters', () => {
    const id = endToEndIdFor(placement, '2026-02')
    expect(id).toBe('T7A3F9C0E11D2B4A596887766-202602')
    expect(id.length).toBeLessThanOrEqual(35)
    expect(endToEndIdFor(placement, '2026-03')).not.toBe(id)
    expect(endToEndIdFor(contact, '2026-02', 'I')).toBe('T51C2D3E4F5A6B7C8D9E0F1A2-202602I')
    expect(() => endToEndIdFor('0x12', '2026-02')).toThrow(RangeError)
    expect(() => endToEndIdFor(placement, '2026-02', 'TOOLONG')).toThrow(RangeError)
  })
})

describe('IBAN', () => {
  it('checks mod-97 and builds Danish IBANs from reg.nr + account', () => {
    expect(isValidIban('DK50 0040 0440 1162 43')).toBe(true)
    expect(isValidIban('DK5000400440116244')).toBe(false)
    expect(isValidIban('DK500040044011624')).toBe(false)
    expect(danishIban('0040', '440116243')).toBe('DK5000400440116243')
    fc.assert(
      fc.property(fc.stringMatching(/^\d{4}$/), fc.stringMatching(/^\d{1,10}$/), (reg, acc) => {
        expect(isValidIban(danishIban(reg, acc))).toBe(true)
      }),
    )
  })
})

describe('validatePain001 (the checks the XSD cannot make)', () => {
  const good = buildPaymentFile(february).xml
  const cases: Array<[string, string, string]> = [
    [
      'CtrlSum not equal to the transactions',
      good.replace(/<CtrlSum>77700.00</, '<CtrlSum>77700.01<'),
      'GrpHdr/CtrlSum',
    ],
    ['NbOfTxs not equal to the transactions', good.replace(/<NbOfTxs>2</, '<NbOfTxs>3<'), 'GrpHdr/NbOfTxs'],
    [
      'five decimals (the XSD allows them)',
      good.replace('>5200.00<', '>5200.00000<'),
      'exactly two decimals',
    ],
    ['one decimal', good.replace('>5200.00<', '>5200.0<'), 'exactly two decimals'],
    [
      'a zero amount',
      good.replace('>5200.00<', '>0.00<').replaceAll('77700.00', '72500.00'),
      'greater than 0',
    ],
    ['another currency', good.replace('Ccy="DKK">5200.00', 'Ccy="EUR">5200.00'), 'not DKK'],
    [
      'a repeated EndToEndId',
      good.replace(/T51C2D3E4F5A6B7C8D9E0F1A2-202602I/, 'T7A3F9C0E11D2B4A596887766-202602'),
      'not unique',
    ],
    [
      'an EndToEndId over 35 characters',
      good.replace('T51C2D3E4F5A6B7C8D9E0F1A2-202602I', 'X'.repeat(36)),
      'EndToEndId',
    ],
    [
      'a missing control sum',
      good.replace(/\s*<CtrlSum>77700.00<\/CtrlSum>/, ''),
      'GrpHdr/CtrlSum is missing',
    ],
    ['another message type', good.replace('pain.001.001.09', 'pain.001.001.03'), 'Root must be Document'],
  ]
  it.each(cases)('rejects %s', (_name, xml, message) => {
    const r = validatePain001(xml)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.errors.join('\n')).toContain(message)
  })

  it('rejects what is not XML at all', () => {
    expect(validatePain001('not xml').ok).toBe(false)
    expect(validatePain001('').ok).toBe(false)
  })
})

const paymentArb = fc.record({
  amountOre: fc.bigInt({ min: 1n, max: 10n ** 13n }),
  name: fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== ''),
  reg: fc.stringMatching(/^\d{4}$/),
  acc: fc.stringMatching(/^\d{1,10}$/),
  useIban: fc.boolean(),
})

describe('any run', () => {
  it('NbOfTxs and CtrlSum always equal the transactions, to the øre', () => {
    fc.assert(
      fc.property(fc.array(paymentArb, { minLength: 1, maxLength: 30 }), (ps) => {
        const payments: PaymentFilePayment[] = ps.map((p, i) => ({
          endToEndId: `E${i}`,
          amountOre: p.amountOre,
          creditor: p.useIban
            ? { name: p.name, iban: danishIban(p.reg, p.acc) }
            : { name: p.name, regNr: p.reg, account: p.acc },
          remittance: `Tillid ${i}`,
        }))
        const f = buildPaymentFile({ ...february, payments })
        const total = ps.reduce((s, p) => s + p.amountOre, 0n)
        expect(f.ctrlSum).toBe(total)
        expect(f.ctrlSumText).toBe(formatIso(total))
        expect(validatePain001(f.xml)).toEqual({ ok: true, nbOfTxs: ps.length, ctrlSum: total })
      }),
      { numRuns: 60 },
    )
  })
})
