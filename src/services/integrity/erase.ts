/**
 * Erasure ordered through the API: the tenant and KLE check, the store's erasure (eraseCase.ts), the
 * citizen's contributions (ciphertext under the destroyed key, removed as well), and a
 * `case.erased.v1` event for the case-index subscribers, all in the erasure's one transaction.
 */
import { sql } from 'kysely'
import { appendEvent } from '../../events/outbox.ts'
import { authorise } from '../../identity/authorise.ts'
import { ServiceError } from '../agreements/model.ts'
import { caseScope, findCase } from '../cases.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { compactAfterErasure, type EraseCaseResult, ErasureError, eraseCase } from '../eraseCase.ts'

/** GDPR art. 17 (right to erasure) unless the order names another basis. */
export const DEFAULT_ERASURE_BASIS = 'GDPR-art17'

export async function eraseCaseAs(
  ctx: ServiceContext,
  actor: Actor,
  caseId: string,
  input: { legalBasis?: string | undefined } = {},
): Promise<EraseCaseResult> {
  const c = await findCase(ctx, caseId)
  if (!c) throw new ServiceError('not_found', 'Sagen findes ikke')
  const p = authorise(actor.principal, 'case.erase', await caseScope(ctx, c))
  let result: EraseCaseResult
  try {
    // The citizen's contributions (ciphertext under the key being destroyed) and the event commit
    // with the erasure or not at all: no erased case without its notification, no event for an
    // erasure that rolled back.
    result = await eraseCase(
      ctx.store,
      ctx.keys,
      {
        caseId: c.id,
        actor: { personId: p.personId, role: p.role, organisationId: p.organisation?.id ?? null },
      },
      {
        compact: false,
        inTransaction: async (trx, erased) => {
          await trx.deleteFrom('citizen_contributions').where('case_id', '=', c.id).execute()
          await appendEvent(trx, {
            type: 'case.erased.v1',
            payload: {
              caseId: c.id,
              caseNumber: c.sagsnummer,
              erasedOn: erased.erasedAt.slice(0, 10),
              legalBasis: input.legalBasis ?? DEFAULT_ERASURE_BASIS,
            },
          })
        },
      },
    )
  } catch (err) {
    if (err instanceof ErasureError) throw new ServiceError('forbidden', 'Din rolle kan ikke slette sager')
    throw err
  }
  if (result.alreadyErased) return result
  // As eraseCase does for its tables: the deleted tuples (and, on PGlite, the WAL holding them) go too.
  await sql`vacuum full citizen_contributions`.execute(ctx.db)
  await compactAfterErasure(ctx.store)
  return result
}
