// Root hook plugin. Several suites block the network with nock at file level, which
// lasts for the whole run; loopback stays reachable so the emulator's real-socket
// suites still work. Nock suites use non-loopback hosts, so they stay sealed.
import nock from "nock";

const loopback = (host: string): boolean => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(host);

export const mochaHooks = {
  beforeAll(): void {
    nock.enableNetConnect(loopback);
  },
  beforeEach(): void {
    nock.enableNetConnect(loopback);
  },
};
