import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The test webhook receiver's base URL (test/helpers/receiver-server.ts). */
    receiverUrl: string;
    /** Whether test/openapi-examples.test.ts writes the examples it records (`npm run docs:examples`). */
    recordExamples: boolean;
  }
}
