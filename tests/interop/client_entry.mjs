// Entry of the browser test page: the real next-auth/react client functions on `window`, nothing
// else. No <SessionProvider> is mounted on purpose: its background /session refetch can land after
// a later signOut() and sign the page back in (interop-notes.md), which would make runs flaky.
import { signIn, signOut, getSession, getCsrfToken, getProviders } from "next-auth/react";

// `undefined` fields become null so results compare with the C++ CLI's JSON (which prints null
// for an absent field); nothing else is changed.
const plain = (value) => JSON.parse(JSON.stringify(value ?? null, (_, v) => (v === undefined ? null : v)));

window.nextAuth = {
  signIn: async (...args) => plain(await signIn(...args)),
  signOut: async (...args) => plain(await signOut(...args)),
  getSession: async () => plain(await getSession()),
  getCsrfToken: async () => plain(await getCsrfToken()),
  getProviders: async () => plain(await getProviders()),
};
