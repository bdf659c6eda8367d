// The package's Azure logger, in its own module so policies and the client share it without a cycle.
import { createClientLogger } from "@azure/logger";

/** The Azure logger of this package (`AZURE_LOG_LEVEL=info` shows it). */
export const azureLogger = createClientLogger("webpubsub-service");
