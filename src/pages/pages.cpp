#include <authpp/core/authjs_error.hpp>
#include <authpp/pages/pages.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <kainjow/mustache.hpp>

#include "style_internal.hpp"

namespace authpp::pages {
namespace {

namespace mst = kainjow::mustache;

// Templates. {{x}} is HTML-escaped by mustache (& < > " ' all become entities, so it is safe in
// double-quoted attributes too); {{{x}}} is used only for markup produced in this file: the
// stylesheet, the rendered page body and the icons. Every attribute value is double-quoted.
// Sections test explicit booleans, never strings, because a missing key would otherwise be looked
// up in the enclosing context.

constexpr std::string_view layout_template = R"(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="{{color_scheme}}">
<meta name="robots" content="noindex, nofollow">
<title>{{title}}</title>
<style>{{{style}}}</style>
</head>
<body>
<main class="page">
{{#has_logo}}<img class="logo" src="{{logo}}" alt="">
{{/has_logo}}<div class="card">
{{{content}}}</div>
{{{footer}}}</main>
{{#has_script}}<script>{{{script}}}</script>
{{/has_script}}</body>
</html>
)";

constexpr std::string_view signin_template = R"(<h1 class="center">Sign in</h1>
<p class="lead center">{{lead}}</p>
{{#has_error}}<div class="alert" role="alert">{{{alert_icon}}}<p>{{error}}</p></div>
{{/has_error}}{{#no_providers}}<p class="empty center">No sign in methods are configured.</p>
{{/no_providers}}{{#providers}}{{#separator}}<div class="divider" role="separator">or</div>
{{/separator}}<div class="provider">
{{#oauth}}<form action="{{action}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
{{#has_callback}}<input type="hidden" name="callbackUrl" value="{{callback_url}}">
{{/has_callback}}<button type="submit" class="button{{#styled}} {{style_class}}{{/styled}}">Sign in with {{name}}</button>
</form>
{{/oauth}}{{#email}}<form action="{{action}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
<div class="field">
<label for="{{input_id}}">Email</label>
<input id="{{input_id}}" type="email" name="email" value="{{email_value}}" placeholder="email@example.com" autocomplete="email" autocapitalize="none" spellcheck="false" required{{#autofocus}} autofocus{{/autofocus}}>
</div>
<button type="submit" class="button primary">Sign in with {{name}}</button>
</form>
{{/email}}{{#credentials}}<form action="{{action}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
{{#fields}}<div class="field">
<label for="{{field_id}}">{{field_label}}</label>
<input id="{{field_id}}" type="{{field_type}}" name="{{field_name}}"{{#has_placeholder}} placeholder="{{field_placeholder}}"{{/has_placeholder}}{{#has_autocomplete}} autocomplete="{{field_autocomplete}}"{{/has_autocomplete}}{{#numeric}} inputmode="numeric"{{/numeric}}{{#plain_text}} autocapitalize="none" spellcheck="false"{{/plain_text}}{{#field_required}} required{{/field_required}}{{#field_autofocus}} autofocus{{/field_autofocus}}>
</div>
{{/fields}}<button type="submit" class="button primary">Sign in with {{name}}</button>
</form>
{{/credentials}}{{#webauthn}}<form action="{{action}}" method="post" data-passkey-options="{{options_url}}">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
{{#has_callback}}<input type="hidden" name="callbackUrl" value="{{callback_url}}">
{{/has_callback}}<input type="hidden" name="action" value="">
<input type="hidden" name="data" value="">
<div class="field">
<label for="{{input_id}}">Email</label>
<input id="{{input_id}}" type="email" name="email" value="{{email_value}}" placeholder="email@example.com" autocomplete="username webauthn" autocapitalize="none" spellcheck="false" aria-describedby="{{input_id}}-hint"{{#autofocus}} autofocus{{/autofocus}}>
<p class="hint" id="{{input_id}}-hint">Leave it empty to use a passkey you have. A new address creates an account with a passkey.</p>
</div>
<p class="alert" role="alert" data-passkey-status hidden></p>
<button type="submit" class="button primary">Sign in with a passkey</button>
</form>
{{/webauthn}}</div>
{{/providers}})";

constexpr std::string_view signout_template =
    R"(<div class="icon" aria-hidden="true">{{{icon}}}</div>
<h1 class="center">Sign out</h1>
<p class="message center">Are you sure you want to sign out?</p>
<form action="{{action}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
{{#has_callback}}<input type="hidden" name="callbackUrl" value="{{callback_url}}">
{{/has_callback}}<button type="submit" class="button primary">Sign out</button>
</form>
{{#has_cancel}}<a class="button" href="{{cancel_url}}">Cancel</a>
{{/has_cancel}})";

constexpr std::string_view error_template =
    R"(<div class="icon danger" aria-hidden="true">{{{icon}}}</div>
<h1 class="center">{{heading}}</h1>
<p class="message center" role="alert">{{message}}</p>
{{#show_signin}}<a class="button primary" href="{{signin_url}}">Sign in</a>
{{/show_signin}}{{#home_button}}<a class="button primary" href="{{home_url}}">{{home_label}}</a>
{{/home_button}})";

constexpr std::string_view verify_template =
    R"(<div class="icon" aria-hidden="true">{{{icon}}}</div>
<h1 class="center">Check your email</h1>
<p class="message center">A sign in link has been sent to your email address.</p>
{{#has_home}}<a class="button" href="{{home_url}}">{{home_label}}</a>
{{/has_home}}<p class="hint center">Did not get it? Check your spam folder, or go back and try again.</p>
)";

constexpr std::string_view confirm_template =
    R"(<div class="icon" aria-hidden="true">{{{icon}}}</div>
<h1 class="center">Sign in</h1>
<p class="message center">Sign in as <strong>{{email}}</strong>?</p>
<form action="{{action}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
<input type="hidden" name="token" value="{{token}}">
<input type="hidden" name="email" value="{{email}}">
{{#has_callback}}<input type="hidden" name="callbackUrl" value="{{callback_url}}">
{{/has_callback}}<button type="submit" class="button primary" autofocus>Sign in</button>
</form>
<p class="hint center">The link works once. If you did not ask to sign in, close this page.</p>
)";

// The account page: each section lists its state; its forms appear only after a recent sign-in.
constexpr std::string_view account_template = R"(<h1 class="center">Your account</h1>
<p class="lead center">Signed in as <strong>{{email}}</strong></p>
{{#has_error}}<div class="alert" role="alert">{{{alert_icon}}}<p>{{error}}</p></div>
{{/has_error}}{{#has_notice}}<p class="notice" role="status">{{notice}}</p>
{{/has_notice}}{{^recent}}<p class="hint">To change your passkeys or authenticator app, sign in again first.</p>
<a class="button primary" href="{{reauth_url}}">Sign in again</a>
{{/recent}}{{#has_recovery_codes}}<section aria-labelledby="codes-title">
<h2 id="codes-title">Your recovery codes</h2>
<p>Each code works once, in place of a code from the app, if you lose it. Keep them somewhere safe: they are shown only now.</p>
<ul class="codes">{{#recovery_codes}}<li><code>{{code}}</code></li>{{/recovery_codes}}</ul>
</section>
{{/has_recovery_codes}}{{#passkeys_enabled}}<section aria-labelledby="passkeys-title">
<h2 id="passkeys-title">Passkeys</h2>
{{#no_passkeys}}<p class="empty">No passkeys yet.</p>
{{/no_passkeys}}<ul class="items">{{#passkeys}}<li><div><strong>{{label}}</strong><span class="muted">Added {{created}}, last used {{last_used}}</span></div>
{{#recent}}<form action="{{action_url}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
<input type="hidden" name="action" value="passkey-remove">
<input type="hidden" name="id" value="{{id}}">
<button type="submit" class="button small" aria-label="Remove the {{label}} added {{created}}">Remove</button>
</form>
{{/recent}}</li>
{{/passkeys}}</ul>
{{#recent}}<form action="{{passkey_callback_url}}" method="post" data-passkey-options="{{passkey_options_url}}" data-passkey-action="register">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
<input type="hidden" name="callbackUrl" value="{{action_url}}">
<input type="hidden" name="action" value="">
<input type="hidden" name="data" value="">
<p class="alert" role="alert" data-passkey-status hidden></p>
<button type="submit" class="button">Add a passkey</button>
</form>
{{/recent}}</section>
{{/passkeys_enabled}}{{#totp_enabled}}<section aria-labelledby="totp-title">
<h2 id="totp-title">Authenticator app</h2>
{{#totp_confirmed}}<p>On: signing in with your password also asks for a code from the app. Recovery codes left: {{codes_left}}.</p>
{{#recent}}<form action="{{action_url}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
<input type="hidden" name="action" value="totp-disable">
<div class="field">
<label for="disable-code">Code from the app, or a recovery code</label>
<input id="disable-code" type="text" name="code" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" required>
</div>
<button type="submit" class="button">Turn off</button>
</form>
{{/recent}}{{/totp_confirmed}}{{^totp_confirmed}}{{#has_enrolment}}<p id="enrol-help">Scan the QR code with your authenticator app, or type the key into it. Then enter the code the app shows.</p>
<div class="qr">{{{qr_svg}}}</div>
<p class="key">Key: <code>{{key}}</code></p>
{{#recent}}<form action="{{action_url}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
<input type="hidden" name="action" value="totp-confirm">
<div class="field">
<label for="confirm-code">Code from the app</label>
<input id="confirm-code" type="text" name="code" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" aria-describedby="enrol-help" required autofocus>
</div>
<button type="submit" class="button primary">Turn on</button>
</form>
{{/recent}}{{/has_enrolment}}{{^has_enrolment}}<p>Off. An authenticator app adds a code to signing in with your password.</p>
{{#recent}}<form action="{{action_url}}" method="post">
<input type="hidden" name="csrfToken" value="{{csrf_token}}">
<input type="hidden" name="action" value="totp-begin">
<button type="submit" class="button">Set up an authenticator app</button>
</form>
{{/recent}}{{/has_enrolment}}{{/totp_confirmed}}</section>
{{/totp_enabled}})";

constexpr std::string_view footer_template =
    R"(<p class="footer"><a href="{{home_url}}">{{home_label}}</a></p>
)";

// Icons are inline SVG elements (not images), so the CSP needs no img-src for them. Their
// presentation (stroke, fill) comes from the hashed stylesheet: style attributes would be blocked.
constexpr std::string_view alert_icon =
    R"(<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="9"/><path d="M12 7.75v5"/><path d="M12 16.25h.01"/></svg>)";
constexpr std::string_view mail_icon =
    R"(<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="3" y="5" width="18" height="14" rx="2.5"/><path d="m3.5 7 8.5 6 8.5-6"/></svg>)";
constexpr std::string_view signout_icon =
    R"(<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M9.5 4H6.5A2.5 2.5 0 0 0 4 6.5v11A2.5 2.5 0 0 0 6.5 20h3"/><path d="m15 16 4-4-4-4"/><path d="M19 12H9.5"/></svg>)";

std::string render_template(std::string_view text, const mst::data& data) {
  mst::mustache tmpl{std::string(text)};
  // The templates are constants of this file; a parse error is a bug that the tests catch as an
  // empty page.
  return tmpl.render(data);
}

mst::data boolean(bool b) { return mst::data(b); }

std::string link_or(std::string_view url, std::string_view fallback) {
  return std::string(detail::is_safe_link(url) ? url : fallback);
}

// home_label names where the home link leads, by host when it is known (server-flows.md §12).
std::string home_label(std::string_view home_url) {
  const std::string host = detail::display_host(home_url);
  return host.empty() ? std::string("Return to the home page") : "Return to " + host;
}

std::string_view color_scheme_meta(std::string_view scheme) {
  if (scheme == "light") {
    return "light";
  }
  if (scheme == "dark") {
    return "dark";
  }
  return "light dark";
}

// passkey_script runs the WebAuthn ceremony of a passkey form (data-passkey-options): it asks the
// engine for options, calls navigator.credentials, and posts the credential as the form's `data`
// and `action`, as next-auth/webauthn does. No library and no network beyond this origin; the CSP
// allows exactly this text by its hash.
constexpr std::string_view passkey_script = R"JS((() => {
  const text = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")),
    (c) => c.charCodeAt(0));
  for (const form of document.querySelectorAll("form[data-passkey-options]")) {
    const status = form.querySelector("[data-passkey-status]");
    const say = (message) => { status.textContent = message; status.hidden = !message; };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      say("");
      if (!window.PublicKeyCredential) return say("This browser does not support passkeys.");
      const query = new URLSearchParams();
      const email = form.elements.email ? form.elements.email.value.trim() : "";
      if (email) query.set("email", email);
      if (form.dataset.passkeyAction) query.set("action", form.dataset.passkeyAction);
      try {
        const answer = await fetch(form.dataset.passkeyOptions + "?" + query,
          { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (!answer.ok) {
          return say(email ? "No passkey can be used or created for this address."
                           : "Passkeys are not available right now.");
        }
        const { action, options } = await answer.json();
        options.challenge = bytes(options.challenge);
        let credential;
        if (action === "register") {
          options.user.id = bytes(options.user.id);
          for (const c of options.excludeCredentials || []) c.id = bytes(c.id);
          credential = await navigator.credentials.create({ publicKey: options });
        } else {
          for (const c of options.allowCredentials || []) c.id = bytes(c.id);
          credential = await navigator.credentials.get({ publicKey: options });
        }
        const r = credential.response;
        const response = { clientDataJSON: text(r.clientDataJSON) };
        if (action === "register") {
          response.attestationObject = text(r.attestationObject);
          response.transports = r.getTransports ? r.getTransports() : [];
        } else {
          response.authenticatorData = text(r.authenticatorData);
          response.signature = text(r.signature);
          if (r.userHandle) response.userHandle = text(r.userHandle);
        }
        form.elements.action.value = action;
        form.elements.data.value = JSON.stringify({
          id: credential.id, rawId: text(credential.rawId), type: credential.type, response,
          clientExtensionResults: credential.getClientExtensionResults(),
          authenticatorAttachment: credential.authenticatorAttachment || undefined });
        form.submit();
      } catch (e) {
        say(e && e.name === "NotAllowedError"
          ? "The passkey request was cancelled or timed out. Try again."
          : "The passkey could not be used. Try again.");
      }
    });
  }
})();
)JS";

// finish wraps `content` in the shared layout and computes the CSP from the exact style text
// (and script text, for a page that has one).
rendered finish(int status, std::string_view title, const theme& t, const std::string& content,
                const std::string& footer, std::string_view form_action_extra = {},
                std::string_view extra_style = {}, std::string_view script = {}) {
  const std::string style = detail::stylesheet(t) + std::string(extra_style);
  const std::optional<std::string> logo_origin = detail::url_origin(t.logo, false);
  mst::data d;
  d.set("color_scheme", std::string(color_scheme_meta(t.color_scheme)));
  d.set("title", std::string(title));
  d.set("style", style);
  d.set("has_logo", boolean(logo_origin.has_value()));
  d.set("logo", logo_origin ? t.logo : std::string());
  d.set("content", content);
  d.set("footer", footer);
  d.set("has_script", boolean(!script.empty()));
  d.set("script", std::string(script));
  rendered out;
  out.status = status;
  out.html = render_template(layout_template, d);
  out.content_security_policy =
      detail::content_security_policy(style, logo_origin.value_or(""), form_action_extra, script);
  return out;
}

bool is_oauth(std::string_view type) { return type == "oauth" || type == "oidc"; }

// id_part keeps an id attribute readable and valid: ASCII letters, digits, '-' and '_' only.
std::string id_part(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    out += ok ? c : '_';
  }
  return out.empty() ? std::string("x") : out;
}

// unique_id returns `base`, or `base-2`, `base-3`... so that every <label for> binds one input.
std::string unique_id(std::unordered_set<std::string>& used, const std::string& base) {
  std::string id = base;
  for (int n = 2; !used.insert(id).second; ++n) {
    id = base + "-" + std::to_string(n);
  }
  return id;
}

std::string_view input_type(std::string_view type) {
  for (const std::string_view allowed : {"text", "email", "password", "tel", "number", "url"}) {
    if (type == allowed) {
      return allowed;
    }
  }
  return "text";
}

// autocomplete tokens let password managers fill the form (WHATWG HTML §4.10.18.7).
std::string_view autocomplete_for(const credential_field& f, std::string_view type) {
  if (type == "password") {
    return "current-password";
  }
  if (f.name == "username" || f.name == "email" || type == "email") {
    return "username";
  }
  return {};
}

}  // namespace

std::string_view signin_error_message(std::string_view type_name) noexcept {
  // Messages of server-flows.md §12, plus plainer ones for the types Auth.js lumps into default.
  const auto type = parse_authjs_error(type_name);
  if (!type) return "Unable to sign in.";
  switch (*type) {
    case authjs_error::signin:
    case authjs_error::oauth_signin:
    case authjs_error::oauth_callback_error:
    case authjs_error::oauth_create_account:
    case authjs_error::email_create_account:
    case authjs_error::callback:
      return "Try signing in with a different account.";
    case authjs_error::oauth_account_not_linked:
      return "To confirm your identity, sign in with the same account you used originally.";
    case authjs_error::account_not_linked:
      return "This passkey belongs to another account. Sign out first to use it.";
    case authjs_error::webauthn_verification:
      return "The passkey could not be verified. Try again, or sign in another way.";
    case authjs_error::email_signin:
      return "The email could not be sent. Please try again.";
    case authjs_error::credentials_signin:
      return "Sign in failed. Check the details you provided are correct.";
    case authjs_error::session_required:
      return "Please sign in to access this page.";
    case authjs_error::missing_csrf:
      return "Your sign in request expired. Please try again.";
    case authjs_error::access_denied:
      return "You do not have permission to sign in.";
    case authjs_error::verification:
      return "The sign in link is no longer valid. It may have been used already or it may have "
             "expired.";
    case authjs_error::configuration:
      return "Sign in is unavailable because of a server configuration problem.";
    default:
      return "Unable to sign in.";
  }
}

std::string_view error_page_message(std::string_view type_name) noexcept {
  switch (parse_authjs_error(type_name).value_or(authjs_error::callback)) {
    case authjs_error::configuration:
      return "There is a problem with the server configuration. Check the server logs for more "
             "information.";
    case authjs_error::access_denied:
      return "You do not have permission to sign in.";
    case authjs_error::verification:
      return "The sign in link is no longer valid. It may have been used already or it may have "
             "expired.";
    case authjs_error::webauthn_verification:
      return "The passkey could not be verified. Try again, or sign in another way.";
    default:
      return "An unexpected error occurred. Please try again later.";
  }
}

rendered render_signin(const signin_page& page) {
  mst::list providers;
  std::unordered_set<std::string> ids;
  std::string form_action;
  bool any_https_authorization = false;
  bool autofocus_pending = true;
  bool any_passkey = false;
  std::string_view previous_type;
  std::string button_styles;  // one rule per coloured provider button, into the hashed stylesheet
  for (const provider_entry& p : page.providers) {
    const bool oauth = is_oauth(p.type);
    const bool email = p.type == "email";
    const bool credentials = p.type == "credentials";
    const bool webauthn = p.type == "webauthn";
    if (!oauth && !email && !credentials && !webauthn) {
      continue;
    }
    any_passkey = any_passkey || webauthn;
    mst::data e;
    // Buttons stack together; a form-type provider is set apart from its neighbours.
    e.set("separator", boolean(!previous_type.empty() && !(oauth && is_oauth(previous_type))));
    previous_type = p.type;
    e.set("oauth", boolean(oauth));
    e.set("email", boolean(email));
    e.set("credentials", boolean(credentials));
    e.set("webauthn", boolean(webauthn));
    e.set("options_url", link_or(p.options_url, "#"));
    e.set("name", p.name.empty() ? p.id : p.name);
    e.set("action", link_or(credentials || webauthn ? p.callback_url : p.signin_url, "#"));
    e.set("csrf_token", page.csrf_token);
    e.set("has_callback", boolean((oauth || webauthn) && !page.callback_url.empty()));
    e.set("callback_url", page.callback_url);
    // A provider's colours are rules of the hashed stylesheet (inline styles are blocked by the
    // CSP), under a class named by position so that no configured text reaches a selector.
    const bool styled = oauth && is_css_color(p.bg) && is_css_color(p.text);
    e.set("styled", boolean(styled));
    if (styled) {
      const std::string cls = "provider-" + std::to_string(providers.size());
      e.set("style_class", cls);
      button_styles += ".button." + cls + "{background:" + p.bg + ";color:" + p.text +
                       ";border-color:" + p.bg + "}";
    }
    if (oauth) {
      // Browsers apply form-action to the redirect that follows this POST (checked with
      // Chromium: 'self' alone blocks the 302 to the authorization endpoint).
      if (const auto origin = detail::url_origin(p.authorization_origin, true)) {
        if (form_action.find(*origin + ' ') == std::string::npos) {
          form_action += *origin + ' ';
        }
        if (p.authorization_origin_guessed) any_https_authorization = true;
      } else {
        any_https_authorization = true;
      }
    }
    if (email || webauthn) {
      e.set("input_id", unique_id(ids, id_part(p.id) + "-email"));
      e.set("email_value", page.email.value_or(""));
      e.set("autofocus", boolean(std::exchange(autofocus_pending, false)));
    }
    mst::list fields;
    if (credentials) {
      for (const credential_field& f : p.fields) {
        const std::string_view type = input_type(f.type);
        const std::string_view autocomplete = autocomplete_for(f, type);
        mst::data fd;
        fd.set("field_id", unique_id(ids, id_part(p.id) + "-" + id_part(f.name)));
        fd.set("field_label", f.label.empty() ? f.name : f.label);
        fd.set("field_type", std::string(type));
        fd.set("field_name", f.name);
        fd.set("has_placeholder", boolean(!f.placeholder.empty()));
        fd.set("field_placeholder", f.placeholder);
        fd.set("has_autocomplete", boolean(!autocomplete.empty()));
        fd.set("field_autocomplete", std::string(autocomplete));
        fd.set("plain_text", boolean(type != "password" && type != "number"));
        fd.set("field_required", boolean(f.required));
        fd.set("field_autofocus", boolean(std::exchange(autofocus_pending, false)));
        fields.push_back(std::move(fd));
      }
      if (page.second_factor) {
        // The code from the authenticator app (or a recovery code, hence text and not number).
        mst::data fd;
        fd.set("field_id", unique_id(ids, id_part(p.id) + "-totp"));
        fd.set("field_label", std::string("Authentication code"));
        fd.set("field_type", std::string("text"));
        fd.set("field_name", std::string("totp"));
        fd.set("has_placeholder", boolean(false));
        fd.set("has_autocomplete", boolean(true));
        fd.set("field_autocomplete", std::string("one-time-code"));
        fd.set("numeric", boolean(true));
        fd.set("plain_text", boolean(true));
        fd.set("field_required", boolean(true));
        fd.set("field_autofocus", boolean(false));
        fields.push_back(std::move(fd));
      }
    }
    e.set("fields", fields);
    providers.push_back(std::move(e));
  }
  if (any_https_authorization) {
    form_action += "https: ";
  }
  // The credentials form's POST redirects to the callback URL.
  if (const auto origin = detail::url_origin(page.callback_origin, true);
      origin && form_action.find(*origin + ' ') == std::string::npos) {
    form_action += *origin + ' ';
  }
  if (!form_action.empty()) {
    form_action.pop_back();
  }

  mst::data d;
  // The lead line matches what the card offers: one form, one button, or a choice.
  std::string_view lead = "Choose how you would like to continue.";
  if (providers.size() == 1) {
    lead = is_oauth(previous_type) ? "Use your account to continue."
                                   : "Enter your details to continue.";
  }
  d.set("lead", std::string(lead));
  d.set("has_error", boolean(page.error.has_value() || page.second_factor));
  // Only the message chosen by the type is shown, never the type itself (attacker-controlled).
  d.set("error", page.second_factor
                     ? std::string("Enter your password again with the code from your "
                                   "authenticator app, or a recovery code.")
                     : std::string(signin_error_message(page.error.value_or(""))));
  d.set("alert_icon", std::string(alert_icon));
  d.set("no_providers", boolean(providers.empty()));
  d.set("providers", providers);
  return finish(200, "Sign in", page.theme, render_template(signin_template, d), "", form_action,
                button_styles, any_passkey ? passkey_script : std::string_view());
}

rendered render_signout(const signout_page& page) {
  mst::data d;
  d.set("icon", std::string(signout_icon));
  d.set("action", link_or(page.action_url, "#"));
  d.set("csrf_token", page.csrf_token);
  d.set("has_callback", boolean(!page.callback_url.empty()));
  d.set("callback_url", page.callback_url);
  d.set("has_cancel", boolean(detail::is_safe_link(page.callback_url)));
  d.set("cancel_url", link_or(page.callback_url, "/"));
  return finish(200, "Sign out", page.theme, render_template(signout_template, d), "",
                detail::url_origin(page.callback_origin, true).value_or(""));
}

rendered render_email_confirm(const email_confirm_page& page) {
  mst::data d;
  d.set("icon", std::string(mail_icon));
  d.set("action", link_or(page.action_url, "#"));
  d.set("csrf_token", page.csrf_token);
  d.set("token", page.token);
  d.set("email", page.email);
  d.set("has_callback", boolean(!page.callback_url.empty()));
  d.set("callback_url", page.callback_url);
  return finish(200, "Sign in", page.theme, render_template(confirm_template, d), "",
                detail::url_origin(page.callback_origin, true).value_or(""));
}

rendered render_account(const account_page& page) {
  mst::data d;
  d.set("email", page.email.empty() ? page.name : page.email);
  d.set("action_url", link_or(page.action_url, "#"));
  d.set("csrf_token", page.csrf_token);
  d.set("has_error", boolean(page.error.has_value()));
  d.set("error", page.error.value_or(""));
  d.set("alert_icon", std::string(alert_icon));
  d.set("has_notice", boolean(page.notice.has_value()));
  d.set("notice", page.notice.value_or(""));
  d.set("recent", boolean(page.recent));
  d.set("reauth_url", link_or(page.reauth_url, "#"));
  mst::list codes;
  for (const std::string& code : page.recovery_codes) {
    mst::data c;
    c.set("code", code);
    codes.push_back(std::move(c));
  }
  d.set("has_recovery_codes", boolean(!page.recovery_codes.empty()));
  d.set("recovery_codes", codes);
  d.set("passkeys_enabled", boolean(page.passkeys_enabled));
  d.set("passkey_options_url", link_or(page.passkey_options_url, "#"));
  d.set("passkey_callback_url", link_or(page.passkey_callback_url, "#"));
  d.set("no_passkeys", boolean(page.passkeys.empty()));
  mst::list passkeys;
  for (const account_passkey& p : page.passkeys) {
    mst::data e;
    e.set("id", p.id);
    e.set("label", std::string(p.synced ? "Synced passkey" : "Passkey on one device"));
    e.set("created", p.created.empty() ? std::string("(date unknown)") : p.created);
    e.set("last_used", p.last_used.empty() ? std::string("never") : p.last_used);
    passkeys.push_back(std::move(e));
  }
  d.set("passkeys", passkeys);
  d.set("totp_enabled", boolean(page.totp_enabled));
  d.set("totp_confirmed", boolean(page.totp_confirmed));
  d.set("codes_left", std::to_string(page.recovery_codes_left));
  d.set("has_enrolment", boolean(page.enrolment.has_value()));
  if (page.enrolment) {
    d.set("qr_svg", page.enrolment->qr_svg);
    d.set("key", page.enrolment->key);
  }
  const bool script = page.passkeys_enabled && page.recent;
  return finish(page.error ? 400 : 200, "Your account", page.theme,
                render_template(account_template, d), "", {}, {},
                script ? passkey_script : std::string_view());
}

rendered render_error(const error_page& page) {
  const std::optional<authjs_error> type = parse_authjs_error(page.error);
  int status = 200;
  std::string_view heading = "Something went wrong";
  if (type == authjs_error::configuration) {
    status = 500;
    heading = "Server error";
  } else if (type == authjs_error::access_denied) {
    status = 403;
    heading = "Access denied";
  } else if (type == authjs_error::verification) {
    status = 403;
    heading = "Unable to sign in";
  }
  const bool show_signin =
      (type == authjs_error::access_denied || type == authjs_error::verification) &&
      detail::is_safe_link(page.signin_url);
  const std::string home = link_or(page.home_url, "/");
  mst::data d;
  d.set("icon", std::string(alert_icon));
  d.set("heading", std::string(heading));
  d.set("message", std::string(error_page_message(page.error)));
  d.set("show_signin", boolean(show_signin));
  d.set("signin_url", page.signin_url);
  d.set("home_button", boolean(!show_signin));
  d.set("home_url", home);
  d.set("home_label", home_label(home));
  std::string footer;
  if (show_signin) {
    mst::data f;
    f.set("home_url", home);
    f.set("home_label", home_label(home));
    footer = render_template(footer_template, f);
  }
  return finish(status, heading, page.theme, render_template(error_template, d), footer);
}

rendered render_verify_request(const verify_request_page& page) {
  const std::string home = link_or(page.home_url, "/");
  mst::data d;
  d.set("icon", std::string(mail_icon));
  d.set("has_home", boolean(true));
  d.set("home_url", home);
  d.set("home_label", home_label(home));
  return finish(200, "Check your email", page.theme, render_template(verify_template, d), "");
}

}  // namespace authpp::pages
