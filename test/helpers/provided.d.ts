import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The test webhook receiver's base URL (test/helpers/receiver-server.ts). */
    receiverUrl: string;
  }
}
