// The lean client has two transports (src/server/httpClient.ts): undici, what users get by
// default, and node:http, taken whenever an interceptor such as nock has replaced
// `http.request`. Suites that talk to real loopback servers run once per transport, forced,
// because which one "auto" picks depends on whether some other file of the run loaded nock.
import { setLeanTransportMode, type LeanTransportMode } from "../../src/server/httpClient.js";

/** Both transports, the default first. */
export const TRANSPORTS = ["undici", "node:http"] as const;

/** Forces `mode` for the enclosing describe block and restores the previous mode after it. */
export function useTransport(mode: LeanTransportMode): void {
  let previous: LeanTransportMode = "auto";
  before(() => (previous = setLeanTransportMode(mode)));
  after(() => void setLeanTransportMode(previous));
}
