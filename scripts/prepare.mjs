// npm "prepare": builds dist/ when the package is installed from git or a clone gets
// `npm install`, so a git-URL install ships code. `npm pack`/`npm publish` already built
// on "prepack" (which always rebuilds), so prepare does not build a second time there.
import { execFileSync } from "node:child_process";

const command = process.env["npm_command"];
if (command !== "pack" && command !== "publish") {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
}
