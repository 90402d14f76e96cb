/**
 * Defaults an installation starts with. A municipality's approval policy (architecture.md §3) is set
 * the first time one of its agreements is drafted, unless its administrator already set one: above
 * 50,000 kr a month an agreement needs one director or two centre chiefs.
 */
import type { ServiceContext } from './context.ts'
import { readContract, writeContract } from './ledgerWrites.ts'
import { ensureOrganisation, orgAdminAccount } from './membership.ts'

export const DEFAULT_APPROVAL_POLICY = {
  thresholdOre: 5_000_000n,
  chiefWeight: 1,
  directorWeight: 2,
  needed: 2,
} as const

export async function ensureApprovalPolicy(ctx: ServiceContext, municipalityCode: string): Promise<void> {
  const org = await ensureOrganisation(ctx, 'municipality', municipalityCode)
  const policy = (await readContract(ctx, 'directory', 'policyOf', [Number(municipalityCode)])) as {
    needed: number
  }
  if (policy.needed !== 0) return
  const p = DEFAULT_APPROVAL_POLICY
  await writeContract(ctx, orgAdminAccount(ctx, org), 'directory', 'setPolicy', [
    Number(municipalityCode),
    p.thresholdOre,
    p.chiefWeight,
    p.directorWeight,
    p.needed,
  ])
}
