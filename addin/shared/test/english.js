// @ts-check
/**
 * Loaded before every node test (package.json's test script, `--import`): the add-ins speak
 * English, from addin/_locales/en/messages.json, as a page does after i18n.load("en").
 */
import { readFileSync } from "node:fs";
import { use } from "../i18n.js";

use("en", JSON.parse(readFileSync(new URL("../../_locales/en/messages.json", import.meta.url), "utf8")));
