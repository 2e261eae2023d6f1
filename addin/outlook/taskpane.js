// @ts-check
/**
 * Entry point of the task pane page. The page is served by the Caveat service itself, so the
 * service is this page's origin. The service says how its users sign in
 * (GET /api/v1/identity): with sign-in on, every call carries the person's own token
 * (MSAL's nested app authentication, Office's single sign-on where that is missing; see
 * signin.js), and a key in the page's URL is ignored. With sign-in off (the local demo),
 * the deployment's API key comes in the page's URL, where the demo manifest put it.
 */
import { CaveatError, createClient, loadIdentity } from "../shared/api.js";
import { load, localisePage, pick, t } from "../shared/i18n.js";
import { startPane } from "./outlook.js";
import { bootPane } from "./outside.js";
import { createTokenSource } from "./signin.js";

/** @typedef {import("./signin.js").TokenSource} TokenSource */
/** @typedef {ReturnType<typeof createClient>} Client */

/**
 * The service's base URL: this page's origin, and the path prefix the service is mounted
 * under, if any (https://apps.example.com/caveat/addin/outlook/taskpane.html).
 * @param {Location} place
 */
function serviceBase(place) {
  const at = place.pathname.indexOf("/addin/outlook/");
  return place.origin + (at > 0 ? place.pathname.slice(0, at) : "");
}

/**
 * The pane's API client and sign-in. The service is asked how its users sign in before the
 * first call, once; when it cannot be asked, that call fails as "could not check"
 * (unreachable, say) and the next one asks again. Sign-in on: a client with the person's
 * token, renewed once after a 401; off: a client with the key of the page's URL.
 * @param {{Office: any, msal: any, baseUrl: string, key: string}} deps
 */
export function paneClient({ Office, msal, baseUrl, key }) {
  /** @type {Promise<Client> | null} */
  let made = null;
  /** @type {TokenSource | null} */
  let source = null;

  /** @returns {Promise<Client>} */
  function real() {
    if (!made) {
      made = loadIdentity({ baseUrl }).then(
        async (identity) => {
          if (!identity.sign_in) return createClient({ baseUrl, getCredential: () => key });
          const tokens = createTokenSource({ Office, msal, identity });
          await tokens.init();
          source = tokens;
          return createClient({ baseUrl, getCredential: () => tokens.getToken(), renewCredential: () => tokens.renew() });
        },
        (error) => {
          made = null;
          throw error;
        },
      );
    }
    return made;
  }

  /** @type {Client} */
  const client = {
    analyze: async (payload) => (await real()).analyze(payload),
    senderContact: async (sender) => (await real()).senderContact(sender),
    report: async (report) => (await real()).report(report),
    verifications: async (query) => (await real()).verifications(query),
    recordVerification: async (body) => (await real()).recordVerification(body),
    requestApproval: async (body) => (await real()).requestApproval(body),
  };
  return {
    client,
    auth: {
      /** Sign in from a click; offered only after the token source said "sign-in needed". */
      signIn: () => (source ? source.signIn() : Promise.reject(new CaveatError("signin", t("sign_in_needed")))),
      /** Whether calls carry the person's token (sign-in on). */
      active: () => source !== null,
    },
  };
}

/** @type {any} */
const Office = /** @type {any} */ (globalThis).Office;
const root = typeof document !== "undefined" ? document.getElementById("caveat") : null;

/**
 * Speak `tag`'s language (English when the add-in does not speak it), and put the page's
 * own words, its lang and its dir in place.
 * @param {unknown} tag
 */
export async function speak(tag) {
  await load(pick(tag));
  localisePage(document);
}

if (root) {
  // Office.js is missing when it could not load, and never says "Outlook" in a plain
  // browser tab: the page then says what it is and how to add it to Outlook, in the
  // browser's language. In Outlook the pane speaks Outlook's display language, loaded
  // before anything is drawn.
  const baseUrl = serviceBase(window.location);
  const browserLanguage = speak(navigator.language);
  void browserLanguage.then(() =>
    bootPane({
      Office,
      root,
      baseUrl,
      signInOn: () => loadIdentity({ baseUrl }).then((identity) => identity.sign_in),
      start: () => {
        const key = new URLSearchParams(window.location.search).get("key") ?? "";
        const msal = /** @type {any} */ (globalThis).msal;
        void speak(Office.context?.displayLanguage).then(() => {
          const { client, auth } = paneClient({ Office, msal, baseUrl, key });
          startPane({ Office, root, client, auth });
        });
      },
    }),
  );
}
