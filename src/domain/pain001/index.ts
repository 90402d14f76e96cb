export * from './accounts.ts'
export * from './build.ts'
export * from './validate.ts'
