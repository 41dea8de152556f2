export declare const typesFile: string;
/** The TypeScript text for an OpenAPI document, as `npm run web:types` writes it. */
export declare function generateTypes(document: unknown): Promise<string>;
