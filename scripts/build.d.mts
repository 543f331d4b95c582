// Types for scripts/build.mjs, which the tests' globalSetup and the benches import.
export declare const ROOT: string;
export declare const DIST: string;
export declare const STAMP: string;
export declare function build(outdir?: string): Promise<string>;
export declare function newestSource(dir?: string): number;
