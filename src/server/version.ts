/** This package's version, for User-Agent and tracing. test/server/version.test.ts keeps it equal to package.json. */
export const PACKAGE_VERSION = "0.1.0";
