/** This package's version, for User-Agent, tracing and `webpubsub --version`. test/server/version.test.ts keeps it equal to package.json. */
export const PACKAGE_VERSION = "0.1.0";
