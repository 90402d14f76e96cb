/** Off-chain agreement tables (migration 014): the link between an on-chain agreement and its case. */
import type { Generated } from 'kysely'

export interface AgreementTables {
  agreements: {
    /** UUID: the agreement's id in the API and in events. */
    id: string
    /** bytes32 hex: the agreement's id on the ledger (keccak256 of the UUID). */
    chain_id: string
    case_id: string
    municipality_id: string
    provider_id: string
    template_id: string
    main_agreement_id: string | null
    /** JSON `{ "<version>": ["Ophold", …] }`: line names by version (the chain knows only indexes). */
    line_names: string
    created_by: string
    created_at: Generated<Date>
  }
  agreement_documents: {
    document_id: string
    agreement_id: string
    kind: string
    anchor: string
    tx_hash: string | null
    created_at: Generated<Date>
  }
  agreement_invoices: {
    invoice_ref: string
    agreement_id: string
    line_no: number
    period: string
    quantity: number
    price_ore: string
    created_by: string
    created_at: Generated<Date>
  }
}
