// Starting `npm run dev` in the background lives in scripts/, where `npm run bench` uses it too.
export {
  freePort,
  freshPersistDir,
  parseCredentials,
  projectRoot,
  queryLocalD1,
  runWrangler,
  spawnGroup,
  startDevServer,
  stopGroup,
  type DemoCredentials,
  type DevServer,
} from "../../scripts/dev-server.mjs";
