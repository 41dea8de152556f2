// Starting `npm run dev` in the background lives in scripts/, where `npm run bench` uses it too.
export {
  freePort,
  freshPersistDir,
  projectRoot,
  queryLocalD1,
  spawnGroup,
  startDevServer,
  stopGroup,
  type DevServer,
} from "../../scripts/dev-server.mjs";
