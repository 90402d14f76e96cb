/** Citizens' contributions to their case (migration 015); texts sealed under the case key. */
type Bytes = Uint8Array

export interface ContributionTables {
  citizen_contributions: {
    id: string
    case_id: string
    author_person_id: string
    kind: 'comment' | 'correction'
    text_ct: Bytes
    created_at: string
    answer_ct: Bytes | null
    answered_by: string | null
    answered_at: string | null
  }
}
