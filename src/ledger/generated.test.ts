import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contentHash, generate, outputFile } from '../../scripts/build-contracts.mjs'
import { contracts } from './generated/contracts.ts'

describe('generated contract bindings', () => {
  it('match a fresh compilation of contracts/src (run `npm run build:contracts` when this fails)', () => {
    const committed = readFileSync(outputFile, 'utf8')
    expect(contentHash(committed)).toBe(contentHash(generate()))
  }, 120_000)

  it('carry creation bytecode and the functions the app calls', () => {
    for (const c of Object.values(contracts)) expect(c.bytecode).toMatch(/^0x[0-9a-f]{200,}$/)
    const names = contracts.AgreementRegistry.abi.filter((e) => e.type === 'function').map((e) => e.name)
    expect(names).toEqual(
      expect.arrayContaining(['draftAgreement', 'signVersion', 'approveVersion', 'multicall']),
    )
  })
})
