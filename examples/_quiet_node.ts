/**
 * Silences Node's deprecation warnings from transitive npm dependencies (for example
 * `punycode`, pulled in by the Istio schema validators) so synth output stays readable.
 * Imported first by `main.ts`.
 *
 * @module
 */
import process from "node:process";

(process as { noDeprecation?: boolean }).noDeprecation = true;
