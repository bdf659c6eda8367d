// `npm run api`: API Extractor per subpath into review/*.api.md (run `npm run build` first).
// With --check (CI) it only compares, and fails when the public surface moved without its report.
import { Extractor, ExtractorConfig } from "@microsoft/api-extractor";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes("--check");
let failed = false;
for (const entry of ["root", "client", "emulator", "handler"]) {
  const config = ExtractorConfig.loadFileAndPrepare(join(here, `${entry}.json`));
  const result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false });
  if (!result.succeeded) {
    failed = true;
    console.error(`api: ${entry}: ${result.errorCount} error(s), ${result.warningCount} warning(s)${result.apiReportChanged ? "; the report changed (run npm run api and commit review/)" : ""}`);
  }
}
process.exit(failed ? 1 : 0);
