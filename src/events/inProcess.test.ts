import { describe, expect, it } from 'vitest'
import { topicMatcher } from './inProcess.ts'

describe('topicMatcher (AMQP topic semantics)', () => {
  it('matches words, * and #', () => {
    expect(topicMatcher('payment.*.v1')('payment.withheld.v1')).toBe(true)
    expect(topicMatcher('payment.*.v1')('payment.withheld.v2')).toBe(false)
    expect(topicMatcher('payment.*')('payment.withheld.v1')).toBe(false)
    expect(topicMatcher('agreement.#')('agreement.signed.v1')).toBe(true)
    expect(topicMatcher('agreement.#')('agreement')).toBe(true)
    expect(topicMatcher('#.v1')('case.erased.v1')).toBe(true)
    expect(topicMatcher('#')('anything.at.all')).toBe(true)
    expect(topicMatcher('case.erased.v1')('case.erased.v1')).toBe(true)
    expect(topicMatcher('case.erased.v1')('case.created.v1')).toBe(false)
  })
})
