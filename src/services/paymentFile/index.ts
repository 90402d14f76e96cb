export * from './writePaymentFile.ts'
