/**
 * The demo installation's fixed facts that no login provides: the bank accounts the payment file
 * needs (fictitious but valid Danish IBANs). Idempotent; runs at every start in demo mode.
 */
import { danishIban } from '../../domain/pain001/index.ts'
import { HOEJE_TAASTRUP, OESTERVOLD, SAMVAERSKONSULENTERNE } from '../../identity/personas.ts'
import type { ServiceContext } from '../context.ts'
import { setBankAccount } from '../payments/paymentExport.ts'

export async function seedDemo(ctx: ServiceContext): Promise<void> {
  await setBankAccount(ctx, 'municipality', HOEJE_TAASTRUP.code, danishIban('2300', '0001690001'))
  await setBankAccount(ctx, 'provider', OESTERVOLD.code, danishIban('9570', '0012345678'))
  await setBankAccount(ctx, 'provider', SAMVAERSKONSULENTERNE.code, danishIban('5301', '0000765432'))
}
