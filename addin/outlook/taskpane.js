// @ts-check
/**
 * Entry point of the task pane page. The page is served by the Caveat service itself, so the
 * service is this page's origin; the deployment's API key comes in the page's URL, where the
 * manifest put it (the manifest is the one thing a tenant-wide deployment hands to every
 * client). An Entra ID token obtained by nested app authentication can replace the key by
 * giving createClient another getCredential.
 */
import { createClient } from "../shared/api.js";
import { startPane } from "./outlook.js";

/** @type {any} */
const Office = /** @type {any} */ (globalThis).Office;
const root = document.getElementById("caveat");

if (Office && root) {
  Office.onReady(() => {
    const key = new URLSearchParams(window.location.search).get("key") ?? "";
    const client = createClient({ baseUrl: window.location.origin, getCredential: () => key });
    startPane({ Office, root, client });
  });
}
