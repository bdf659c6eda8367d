// The benchmark's HTTP sink, in its own process so that its cost never mixes with the client's:
// answers every request 202 with an empty body, keeps connections alive, reports its port.
// Plain JavaScript so it needs no TypeScript loader. Loopback only.
import { createServer } from "node:http";

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.statusCode = 202;
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
process.on("disconnect", () => {
  server.closeAllConnections();
  server.close();
});
