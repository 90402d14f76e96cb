/**
 * Runs async jobs one at a time, in the order they were submitted. The embedded ledger needs
 * this because a journal entry, its block timestamp and its block must follow one order.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()
  private pending = 0

  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending++
    const result = this.tail.then(job)
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    )
    return result
  }

  /** Jobs submitted and not yet finished. */
  get size(): number {
    return this.pending
  }

  /** Resolves when every job submitted so far has finished. */
  async idle(): Promise<void> {
    await this.tail
  }
}
