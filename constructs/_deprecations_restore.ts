/**
 * Puts back the Node deprecation setting `_deprecations_off.ts` saved (see there for why).
 *
 * @module
 */
import process from "node:process";

const key = Symbol.for("aeraki.noDeprecation");
const saved = (globalThis as Record<symbol, unknown>)[key];
(process as { noDeprecation?: boolean }).noDeprecation = saved === true;
delete (globalThis as Record<symbol, unknown>)[key];
