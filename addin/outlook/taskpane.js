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
import { bootPane } from "./outside.js";

/**
 * The service's base URL: this page's origin, and the path prefix the service is mounted
 * under, if any (https://apps.example.com/caveat/addin/outlook/taskpane.html).
 * @param {Location} place
 */
function serviceBase(place) {
  const at = place.pathname.indexOf("/addin/outlook/");
  return place.origin + (at > 0 ? place.pathname.slice(0, at) : "");
}

/** @type {any} */
const Office = /** @type {any} */ (globalThis).Office;
const root = document.getElementById("caveat");

if (root) {
  // Office.js is missing when it could not load, and never says "Outlook" in a plain
  // browser tab: the page then says what it is and how to add it to Outlook.
  const baseUrl = serviceBase(window.location);
  bootPane({
    Office,
    root,
    baseUrl,
    start: () => {
      const key = new URLSearchParams(window.location.search).get("key") ?? "";
      const client = createClient({ baseUrl, getCredential: () => key });
      startPane({ Office, root, client });
    },
  });
}
