// Entry of the passkey test page (webauthn.test.mjs): everything of client_entry.mjs
// (window.nextAuth, next-auth/react) plus the real next-auth/webauthn signIn, which runs the
// browser's WebAuthn ceremony through @simplewebauthn/browser. Both share one next-auth/react
// module in the bundle, so webauthn's signIn refreshes the same __NEXTAUTH state.
import "./client_entry.mjs";
import { signIn } from "next-auth/webauthn";

// The result is returned as next-auth/webauthn gives it (null, not undefined, for an absent
// error/code; undefined when the options request failed), so the test sees its real shape.
window.webauthnSignIn = (provider, options, authorizationParams) =>
  signIn(provider, options, authorizationParams);
