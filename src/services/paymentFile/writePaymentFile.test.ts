import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateXML } from 'xmllint-wasm'
import {
  buildPaymentFile,
  danishIban,
  endToEndIdFor,
  type PaymentFileInput,
  validatePain001,
} from '../../domain/pain001/index.ts'
import {
  checkPaymentFile,
  DEFAULT_PAIN001_XSD,
  exportPaymentFile,
  PaymentFileRejectedError,
  writePaymentFile,
  xsdErrors,
} from './writePaymentFile.ts'

const may: PaymentFileInput = {
  msgId: 'TILLID-169-202606-1',
  createdAt: new Date('2026-06-03T09:15:00Z'),
  executionDate: '2026-06-04',
  debtor: { name: 'Høje-Taastrup Kommune', iban: danishIban('2000', '1234567890') },
  payments: [
    {
      // Østervold's May payment, released after the status report arrived on 2026-06-03.
      endToEndId: endToEndIdFor('0x7a3f9c0e11d2b4a596887766554433221100aa', '2026-05'),
      amountOre: 7_580_000n,
      creditor: { name: 'Østervold', iban: danishIban('3000', '4400112233'), bic: 'DABADKKK' },
      remittance: 'Tillid 2026-05 frigivet',
    },
    {
      endToEndId: endToEndIdFor('0x51c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0', '2026-05', 'I'),
      amountOre: 520_000n,
      creditor: { name: 'Samværskonsulenterne ApS', regNr: '1551', account: '3456789' },
      remittance: 'Tillid 2026-05 faktura',
    },
  ],
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tillid-pain001-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the official pain.001.001.09 XSD', () => {
  it('accepts the files we build (IBAN and Danish reg.nr + account creditors, with and without BICs)', async () => {
    const f = buildPaymentFile(may)
    expect(await xsdErrors(f.xml)).toEqual([])
    expect(
      await xsdErrors(buildPaymentFile({ ...may, debtor: { ...may.debtor, bic: 'NDEADKKK' } }).xml),
    ).toEqual([])
  })

  it('accepts generated runs of any size and content', async () => {
    const runs = fc.sample(
      fc.array(
        fc.record({
          amountOre: fc.bigInt({ min: 1n, max: 10n ** 13n }),
          name: fc.string({ minLength: 1, maxLength: 70 }).filter((s) => s.trim() !== ''),
          reg: fc.stringMatching(/^\d{4}$/),
          acc: fc.stringMatching(/^\d{1,10}$/),
          useIban: fc.boolean(),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      { numRuns: 40, seed: 20260201 },
    )
    const files = runs.map((ps, n) => ({
      fileName: `run-${n}.xml`,
      contents: buildPaymentFile({
        ...may,
        payments: ps.map((p, i) => ({
          endToEndId: `T${i}-202605`,
          amountOre: p.amountOre,
          creditor: p.useIban
            ? { name: p.name, iban: danishIban(p.reg, p.acc) }
            : { name: p.name, regNr: p.reg, account: p.acc },
          remittance: `Tillid ${p.name}`.slice(0, 140),
        })),
      }).xml,
    }))
    // One xmllint run for all files: starting the wasm module is what costs time.
    const result = await validateXML({
      xml: files,
      schema: [{ fileName: 'pain.001.001.09.xsd', contents: await readFile(DEFAULT_PAIN001_XSD, 'utf8') }],
    })
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('rejects structurally wrong files', async () => {
    const xml = buildPaymentFile(may).xml
    const broken = {
      'no-debtor.xml': xml.replace(/<Dbtr>[\s\S]*?<\/Dbtr>/, ''),
      'lowercase-iban.xml': xml.replace('<IBAN>DK', '<IBAN>dk'),
      'bad-method.xml': xml.replace('<PmtMtd>TRF', '<PmtMtd>XXX'),
      'unknown-element.xml': xml.replace('<RmtInf>', '<Unknown/><RmtInf>'),
    }
    const result = await validateXML({
      xml: Object.entries(broken).map(([fileName, contents]) => ({ fileName, contents })),
      schema: [{ fileName: 'pain.001.001.09.xsd', contents: await readFile(DEFAULT_PAIN001_XSD, 'utf8') }],
    })
    expect(result.valid).toBe(false)
    const failed = new Set(result.errors.map((e) => e.loc?.fileName))
    for (const name of Object.keys(broken)) expect(failed).toContain(name)
    expect(await xsdErrors(broken['bad-method.xml'])).not.toEqual([])
  })

  it('is not enough alone: it allows five decimals, the project check does not', async () => {
    const fiveDecimals = buildPaymentFile(may).xml.replace('>5200.00<', '>5200.00000<')
    expect(await xsdErrors(fiveDecimals)).toEqual([])
    expect(validatePain001(fiveDecimals).ok).toBe(false)
    await expect(checkPaymentFile(fiveDecimals)).rejects.toBeInstanceOf(PaymentFileRejectedError)
  })
})

describe('writePaymentFile', () => {
  it('writes a file that passes both checks, atomically, and leaves no temp file', async () => {
    const out = join(dir, 'run-2026-05.xml')
    const f = await exportPaymentFile(may, out)
    expect(f).toMatchObject({ nbOfTxs: 2, ctrlSum: 8_100_000n, ctrlSumText: '81000.00', path: out })
    expect(await readFile(out, 'utf8')).toBe(f.xml)
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('never writes a file that fails a check, and leaves an existing file as it was', async () => {
    const out = join(dir, 'rejected.xml')
    const wrongSum = buildPaymentFile(may).xml.replace(/<CtrlSum>81000.00</, '<CtrlSum>81000.01<')
    await expect(writePaymentFile(out, wrongSum)).rejects.toThrow(/CtrlSum/)
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' })

    await writeFile(out, 'previous')
    const notSchemaValid = buildPaymentFile(may).xml.replace('<PmtMtd>TRF', '<PmtMtd>XXX')
    const error = await writePaymentFile(out, notSchemaValid).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PaymentFileRejectedError)
    expect((error as PaymentFileRejectedError).errors.some((e) => e.startsWith('XSD:'))).toBe(true)
    expect(await readFile(out, 'utf8')).toBe('previous')
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })
})
