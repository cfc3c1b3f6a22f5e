// Types for bench/detect-corpus.mjs (imported by the candidate-scan differential test).
export const SPECS: Readonly<Record<string, unknown>>;
export function positiveDoc(name: string): { readonly value: string; readonly withKeyword: boolean; readonly text: string };
export function twinDoc(name: string): { readonly text: string } | undefined;
export function hardNegativeDocs(perKind: number): { readonly kind: string; readonly text: string }[];
