// The emulator's REST API: routing from the generated route table, operations, HTTP I/O.
export { handleRest } from "./router.js";
export { MAX_BODY_BYTES, readBody, writeError, writeResponse } from "./httpIo.js";
export { ROUTES, SUPPORTED_API_VERSIONS, LATEST_API_VERSION, type CompiledRoute, type OperationName } from "./routes.js";
