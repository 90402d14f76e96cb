export declare const root: string
export declare const outputFile: string
export declare const deployable: readonly string[]
/** Compiles contracts/src with npm solc and returns the generated TypeScript module's text. */
export declare function generate(): string
export declare function contentHash(text: string): string
