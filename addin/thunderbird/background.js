// @ts-check
/**
 * The background of the Thunderbird extension (an MV3 event page, loaded as a module): it
 * only hands the real `messenger` to the adapter in caveat.js and starts it. The listeners
 * are added synchronously by start(), as an event page needs them to be woken up.
 */
import { createCaveat } from "./caveat.js";

createCaveat({ messenger, fetchImpl: globalThis.fetch.bind(globalThis) }).start();
