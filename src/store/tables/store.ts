/**
 * Tables of the off-chain store (migrations 010-029): organisations, people, cases and their
 * citizens, encrypted documents, anchors, the access log and the ledger read models.
 * int8 columns are strings (both adapters); bytea comes back as Uint8Array (PGlite) or Buffer (pg).
 */
import type { ColumnType, Generated } from 'kysely'

type Bytes = Uint8Array

export interface StoreTables {
  organisations: {
    id: string
    kind: 'municipality' | 'provider'
    municipality_code: string | null
    cvr: string | null
    name: string
    chain_id: string | null
    created_at: Generated<Date>
  }
  people: {
    id: string
    kind: 'staff' | 'citizen'
    subject: string
    organisation_id: string | null
    display_name: string | null
    role: string | null
    /** JSON array of KLE prefixes the person may work on. */
    kle_subjects: ColumnType<string[], string, string>
    /** Blind index of a citizen's own CPR (links a login to citizen records without decrypting). */
    cpr_index: Bytes | null
    chain_address: string | null
    created_at: Generated<Date>
  }
  cases: {
    id: string
    organisation_id: string
    sagsnummer: string
    titel_ct: Bytes | null
    status: 'Opstaaet' | 'Oplyst' | 'Afgjort' | 'Afsluttet'
    kle_class: string
    primary_citizen_id: string | null
    created_at: string
    status_changed_at: string
    erased_at: string | null
  }
  case_keys: {
    case_id: string
    wrapped_key: Bytes
    kek_id: string
    created_at: Generated<Date>
  }
  citizens: {
    id: string
    case_id: string
    cpr_ct: Bytes
    name_ct: Bytes
    cpr_index: Bytes
    created_at: Generated<Date>
  }
  custody: {
    id: string
    parent_person_id: string
    citizen_id: string
    from_date: string
    to_date: string | null
  }
  documents: {
    id: string
    case_id: string
    kind: string
    media_type: string
    size: number
    content_id: Bytes | null
    title_ct: Bytes | null
    ciphertext: Bytes | null
    created_by: string | null
    created_at: string
  }
  anchors: {
    kind: string
    object_id: string
    case_id: string | null
    salt: Bytes | null
    hash: string
    chain_ref: string | null
    created_at: Generated<Date>
  }
  anchored_records: {
    kind: string
    object_id: string
    case_id: string | null
    body: Bytes
  }
  access_log: {
    seq: string
    at: string
    actor_person_id: string
    actor_role: string
    actor_organisation_id: string | null
    case_id: string | null
    citizen_id: string | null
    action: string
    object: string
    purpose: string
    prev_hash: Bytes
    hash: Bytes
  }
  access_log_head: {
    id: number
    seq: string
    hash: Bytes
  }
  rm_agreements: {
    id: string
    case_id: string | null
    municipality_id: string | null
    provider_id: string | null
    main_agreement_id: string | null
    state: string
    current_version: number
    updated_block: string
    updated_at: Generated<Date>
  }
  rm_agreement_versions: {
    agreement_id: string
    version: number
    terms_hash: string
    effective_from: string | null
    state: string
    created_block: string
  }
  rm_agreement_lines: {
    agreement_id: string
    version: number
    line_no: number
    service_code: string
    unit: 'month' | 'hour' | 'session'
    price_ore: string
    start_date: string
    end_date: string | null
    report_every_months: number | null
  }
  rm_payments: {
    id: string
    agreement_id: string
    line_no: number | null
    period: string
    amount_ore: string
    status: 'approved' | 'withheld' | 'released' | 'paid'
    reason: string | null
    tx_hash: string | null
    block_number: string
  }
  rm_invoices: {
    id: string
    agreement_id: string
    line_no: number
    period: string
    quantity_milli: string
    amount_ore: string
    status: 'accepted' | 'deviation'
    tx_hash: string | null
    block_number: string
  }
}
