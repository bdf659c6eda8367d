// Whether error messages carry their full sentences. True in every build but one: the
// production browser file of the client (dist/browser/client.js), where scripts/browserBundle.mjs
// loads this module as `false`, so the bundler drops each `VERBOSE ? "sentence" : ""` branch.
// Errors there keep their class, their `code` and their fields (ackId, closeCode, errorDetail,
// the argument's name); the sentence comes back under the `development` export condition.
// Sentences are most of what is left of the browser bundle once its code is minified.

/** True unless this is the production browser build of the client. */
export const VERBOSE: boolean = true;
