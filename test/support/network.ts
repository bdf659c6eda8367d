// One way to seal the network for nock suites: other hosts are refused, loopback stays
// reachable because the emulator suites use real sockets, and called at file level
// (mocha root hooks) the seal then lasts the whole run.
import nock from "nock";

const loopback = (host: string): boolean => /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i.test(host);

/** Registers hooks: refuse non-loopback connections, drop interceptors after each test, reopen at the end. */
export function sealNetwork(): void {
  before(() => {
    nock.disableNetConnect();
    nock.enableNetConnect(loopback);
  });
  afterEach(() => nock.cleanAll());
  after(() => nock.enableNetConnect());
}
