// The version lives in core, so the emulator's CLI can print it too.
export { PACKAGE_VERSION } from "../core/index.js";
