/**
 * The demo installation's fixed facts that no login provides: the bank accounts the payment file
 * needs (fictitious but valid Danish IBANs). Idempotent; runs at every start in demo mode.
 */
import { danishIban } from '../../domain/pain001/index.ts'
import { HOEJE_TAASTRUP, OESTERVOLD, SAMVAERSKONSULENTERNE } from '../../identity/personas.ts'
import type { ServiceContext } from '../context.ts'
import { setBankAccount } from '../payments/paymentExport.ts'

export async function seedDemo(ctx: ServiceContext): Promise<void> {
  // The scenario's organisations exist before anyone from them logs in, so Sara can pick the
  // providers when she drafts (a login would otherwise create them just in time).
  const orgs = ctx.repos.organisations
  if (!(await orgs.byMunicipalityCode(HOEJE_TAASTRUP.code))) {
    await orgs.create({
      kind: 'municipality',
      municipalityCode: HOEJE_TAASTRUP.code,
      name: HOEJE_TAASTRUP.name,
    })
  }
  for (const p of [OESTERVOLD, SAMVAERSKONSULENTERNE]) {
    if (!(await orgs.byCvr(p.code))) await orgs.create({ kind: 'provider', cvr: p.code, name: p.name })
  }
  await setBankAccount(ctx, 'municipality', HOEJE_TAASTRUP.code, danishIban('2300', '0001690001'))
  await setBankAccount(ctx, 'provider', OESTERVOLD.code, danishIban('9570', '0012345678'))
  await setBankAccount(ctx, 'provider', SAMVAERSKONSULENTERNE.code, danishIban('5301', '0000765432'))
}
