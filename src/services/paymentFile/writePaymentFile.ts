/**
 * Writes a pain.001.001.09 file only when it passes both the official XSD and the project's own checks
 * (validatePain001); the file appears under its final name whole or not at all (temp file, fsync, rename,
 * fsync of the directory).
 */
import { randomBytes } from 'node:crypto'
import { open, readFile, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateXML } from 'xmllint-wasm'
import type { Ore } from '../../domain/money.ts'
import {
  buildPaymentFile,
  type PaymentFile,
  type PaymentFileInput,
  validatePain001,
} from '../../domain/pain001/index.ts'

/** The ISO 20022 schema kept in the repository (see test/fixtures/xsd/pain.001.001.09.xsd for its source). */
export const DEFAULT_PAIN001_XSD = fileURLToPath(
  new URL('../../../test/fixtures/xsd/pain.001.001.09.xsd', import.meta.url),
)

export class PaymentFileRejectedError extends Error {
  readonly code = 'PAYMENT_FILE_REJECTED'
  constructor(readonly errors: string[]) {
    super(`Payment file not written: ${errors.join('; ')}`)
    this.name = 'PaymentFileRejectedError'
  }
}

const xsdCache = new Map<string, Promise<string>>()

function loadXsd(path: string): Promise<string> {
  let xsd = xsdCache.get(path)
  if (!xsd) {
    xsd = readFile(path, 'utf8')
    xsdCache.set(path, xsd)
    xsd.catch(() => xsdCache.delete(path))
  }
  return xsd
}

/** XSD validation with libxml2 (xmllint-wasm); returns the schema errors, empty when valid. */
export async function xsdErrors(xml: string, xsdPath: string = DEFAULT_PAIN001_XSD): Promise<string[]> {
  const schema = await loadXsd(xsdPath)
  const result = await validateXML({
    xml: [{ fileName: 'payment.xml', contents: xml }],
    schema: [{ fileName: 'pain.001.001.09.xsd', contents: schema }],
  })
  return result.valid ? [] : result.errors.map((e) => `XSD: ${e.message}`)
}

export interface CheckedPaymentFile {
  nbOfTxs: number
  ctrlSum: Ore
}

/** Both checks; throws PaymentFileRejectedError with every error found. */
export async function checkPaymentFile(xml: string, xsdPath?: string): Promise<CheckedPaymentFile> {
  const own = validatePain001(xml)
  const schema = await xsdErrors(xml, xsdPath)
  const errors = [...(own.ok ? [] : own.errors), ...schema]
  if (!own.ok || errors.length > 0) throw new PaymentFileRejectedError(errors)
  return { nbOfTxs: own.nbOfTxs, ctrlSum: own.ctrlSum }
}

/**
 * Checks `xml` and writes it to `path` atomically. Nothing is left at `path` (or as a temp file) when a
 * check or the write fails.
 */
export async function writePaymentFile(
  path: string,
  xml: string,
  options: { xsdPath?: string } = {},
): Promise<CheckedPaymentFile> {
  const checked = await checkPaymentFile(xml, options.xsdPath)
  const dir = dirname(path)
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const fh = await open(tmp, 'wx', 0o640)
    try {
      await fh.writeFile(xml, 'utf8')
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
  const dh = await open(dir, 'r')
  try {
    await dh.sync()
  } finally {
    await dh.close()
  }
  return checked
}

/** Builds, checks and writes one run's file: the call a payment export makes. */
export async function exportPaymentFile(
  input: PaymentFileInput,
  path: string,
  options: { xsdPath?: string } = {},
): Promise<PaymentFile & { path: string }> {
  const file = buildPaymentFile(input)
  await writePaymentFile(path, file.xml, options)
  return { ...file, path }
}
