/**
 * `operator/local/`: `aeraki local DIR` — a mesh on one machine from a folder, no cluster.
 * A file source (YAML files and TypeScript charts, watched and debounced), the generator the
 * operator runs, the xDS server, and our proxy as an xDS client of that server, in one
 * process. The one place the operator imports `proxy/`.
 *
 * May import `api/`, `proto/`, `codecs/`, `proxy/` and the rest of `operator/`.
 *
 * @module
 */
export * from "./chart_file.ts";
export * from "./file_source.ts";
export * from "./live_view.ts";
export * from "./local_config.ts";
export * from "./local_mesh.ts";
export * from "./local_proxy.ts";
export * from "./source_file.ts";
export * from "./watch.ts";
export * from "./terminal_view.ts";
export * from "./reloader.ts";
