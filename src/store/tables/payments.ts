import type { ColumnType } from 'kysely'

export interface PaymentsTables {
  bank_accounts: { org_kind: 'municipality' | 'provider'; org_code: string; iban: string; bic: string | null }
  payment_files: {
    id: string
    municipality_code: string
    period: string
    msg_id: string
    created_at: ColumnType<Date, string | undefined, never>
    created_by: string
    nb_of_txs: number
    ctrl_sum_ore: string
    sha256: string
    xml: string
  }
  payment_file_items: {
    file_id: string
    agreement_id: string
    period: string
    amount_ore: string
    end_to_end_id: string
  }
}
