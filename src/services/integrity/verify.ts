/**
 * The auditor's integrity check over HTTP and the CLI: the store rebuilt and compared with what the
 * chain holds (chainAnchors.ts), plus the access log's hash chain (verifyIntegrity.ts).
 */
import { authorise } from '../../identity/authorise.ts'
import type { Actor, ServiceContext } from '../context.ts'
import { type IntegrityReport, verifyIntegrity } from '../verifyIntegrity.ts'
import { chainAnchorSource } from './chainAnchors.ts'

export interface IntegrityResult {
  checked: number
  /** `object` repeats `kind` for the web page, which names the column that way. */
  mismatches: { kind: string; object: string; id: string; reason: string }[]
  /** Erased cases whose anchors are still on the chain (reported as erased, never as errors). */
  erased: number
  details: IntegrityReport['details'] & { erasedAnchors: number }
}

export async function checkIntegrity(
  ctx: ServiceContext,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<IntegrityResult> {
  const report = await verifyIntegrity(ctx.db, ctx.keys, {
    source: chainAnchorSource(ctx),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  })
  return {
    checked: report.checked,
    mismatches: report.mismatches.map((m) => ({ kind: m.kind, object: m.kind, id: m.id, reason: m.reason })),
    erased: report.details.erasedCases.length,
    details: { ...report.details, erasedAnchors: report.erased },
  }
}

/**
 * The check as `actor`. The permission is checked before anything runs, so a caller that streams
 * progress can still answer a refusal with a plain error before it starts the stream.
 */
export function verifyAs(
  ctx: ServiceContext,
  actor: Actor,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): Promise<IntegrityResult> {
  authorise(actor.principal, 'integrity.verify')
  return checkIntegrity(ctx, opts)
}
