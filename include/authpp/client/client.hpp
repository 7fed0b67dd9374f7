#pragma once

#include <authpp/client/authorization_params.hpp>
#include <authpp/client/cookie_jar.hpp>
#include <authpp/client/transport.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/result.hpp>

#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

// The Auth.js client in C++: `signIn`, `signOut`, `getSession`, `getCsrfToken`, `getProviders` and
// the session `update()` of next-auth/react v5, request by request and byte by byte
// (client-wire.md §1-§2). docs/client-reference.md maps every item of the reference to this file.
namespace authpp::client {

// sign_in_response is the reference's `SignInResponse`. `error` and `code` come from the query of
// the URL the server returned; `url` is that URL, or empty when there is an error. Decide success
// by `error`, never by `ok`/`status`: Auth.js answers failed sign-ins with 200 (client-wire.md
// §2.4).
struct sign_in_response {
  std::optional<std::string> error{};
  std::optional<std::string> code{};
  int status = 0;
  bool ok = false;
  std::optional<std::string> url{};

  friend bool operator==(const sign_in_response&, const sign_in_response&) = default;
};

// sign_out_response is the reference's `SignOutResponse`.
struct sign_out_response {
  std::string url{};

  friend bool operator==(const sign_out_response&, const sign_out_response&) = default;
};

// sign_in_options is the reference's `SignInOptions<Redirect>`. The `redirect` property is the
// template parameter, so that the return type of sign_in follows it at compile time as the
// TypeScript overloads do. `fields` is the index signature: extra form fields (credentials) sent
// in order; JavaScript object semantics apply (a repeated name keeps its first position and its
// last value; integer-like names come first).
template <bool Redirect = true>
struct sign_in_options {
  std::optional<std::string> redirect_to{};
  // callback_url is deprecated in the reference: accepted, with a warning through the logger.
  std::optional<std::string> callback_url{};
  std::vector<std::pair<std::string, std::string>> fields{};
};

// sign_out_options is the reference's `SignOutParams<Redirect>`.
template <bool Redirect = true>
struct sign_out_options {
  std::optional<std::string> redirect_to{};
  std::optional<std::string> callback_url{};  // deprecated, as for sign_in_options
};

// sign_in_result is what sign_in returns. With redirect on the client navigates and returns
// nothing (`Promise<void>`). With redirect off it returns the response, or an empty optional when
// the JS client returns `undefined` and navigates instead: an unknown or empty provider (to the
// sign-in page) or an unusable /providers answer (to the error page).
template <bool Redirect>
using sign_in_result =
    std::conditional_t<Redirect, result<void>, result<std::optional<sign_in_response>>>;
template <bool Redirect>
using sign_out_result = std::conditional_t<Redirect, result<void>, result<sign_out_response>>;

enum class log_level { debug, info, warn, error };

// logger receives the client's log lines (never a cookie, token or password). It may be called
// from several threads at once.
using logger = std::function<void(log_level level, std::string_view message)>;

// navigator replaces `window.location.href = url`: open the system browser, load a web view, ...
// It receives absolute URLs (the JS client assigns relative ones that the browser resolves
// against the page; here they are resolved against `current_url`). It may be called from several
// threads at once.
using navigator = std::function<result<void>(std::string_view url)>;

struct client_options {
  // base_url is the Auth.js API base, e.g. "http://127.0.0.1:3000/api/auth". It is read like
  // next-auth's NEXTAUTH_URL: no scheme means https://, a bare origin means /api/auth, and one
  // trailing slash is dropped.
  std::string base_url{};
  // current_url is the page the sign-in starts from (`window.location.href`), the last fallback
  // of callbackUrl. Default: the base URL's origin + "/".
  std::optional<std::string> current_url{};
  // navigate is called where the JS client assigns window.location. Default: client::follow.
  client::navigator navigate{};
  // log defaults to warnings and errors on stderr.
  client::logger log{};
  // transport defaults to make_curl_transport(http).
  std::shared_ptr<client::transport> transport{};
  transport_options http{};
  // jar defaults to a fresh in-memory jar; pass one to share or persist cookies.
  std::shared_ptr<cookie_jar> jar{};
  // max_redirects bounds client::follow, as browsers stop at about 20 and curl at 50.
  int max_redirects = 10;
};

// client talks to one Auth.js deployment. It is a cheap handle: copies share the same state
// (jar, transport), and every member may be called from several threads at once. Every call
// fails with errc::transport_failure or errc::response_too_large when the exchange itself fails;
// the JS client would log those and return null or "", but a transport failure is never passed off
// as an answer of the server here.
class client {
 public:
  // create validates `options`. It fails with
  //   errc::invalid_url if base_url or current_url is not an absolute http(s) URL.
  [[nodiscard]] static result<client> create(client_options options);

  // sign_in is `signIn(provider, options, authorizationParams)`: GET /providers, GET /csrf, then
  // POST /callback/{id} (credentials) or /signin/{id} (every other type) with the form fields,
  // csrfToken and callbackUrl = redirect_to ?? callback_url ?? current_url. Besides the transport
  // errors it fails with
  //   errc::invalid_response if the POST's answer is not JSON, or is JSON null; with redirect off
  //                          also if it has no absolute `url` (where the JS promise rejects),
  //   errc::malformed_input  if the provider is of type "webauthn" (the JS client throws), or
  //                          the authorization params could not be read,
  //   any error of the navigator.
  template <bool Redirect = true>
  [[nodiscard]] sign_in_result<Redirect> sign_in(std::string_view provider = {},
                                                 const sign_in_options<Redirect>& options = {},
                                                 const authorization_params& params = {}) const {
    auto r = sign_in_impl(provider, Redirect, options.redirect_to, options.callback_url,
                          options.fields, params);
    if constexpr (Redirect) {
      if (!r) return r.error();
      return {};
    } else {
      return r;
    }
  }

  // sign_in with a run-time `redirect` (when the flag is not a constant, e.g. a CLI option):
  // returns the response with redirect off, otherwise (and when the client navigated) an empty
  // optional. Errors as above.
  [[nodiscard]] result<std::optional<sign_in_response>> sign_in(
      std::string_view provider, bool redirect, const sign_in_options<>& options,
      const authorization_params& params = {}) const {
    return sign_in_impl(provider, redirect, options.redirect_to, options.callback_url,
                        options.fields, params);
  }

  // sign_out is `signOut(options)`: GET /csrf, then POST /signout with csrfToken and callbackUrl.
  // With redirect off it returns the server's `{url}` whatever the status, as the JS client does.
  // Besides the transport errors it fails with
  //   errc::invalid_response if the answer is not JSON; with redirect off also if it has no
  //                          string `url`,
  //   any error of the navigator.
  template <bool Redirect = true>
  [[nodiscard]] sign_out_result<Redirect> sign_out(
      const sign_out_options<Redirect>& options = {}) const {
    auto r = sign_out_impl(Redirect, options.redirect_to, options.callback_url);
    if constexpr (Redirect) {
      if (!r) return r.error();
      return {};
    } else {
      if (!r) return r.error();
      return std::move(**r);
    }
  }

  // sign_out with a run-time `redirect`: the response with redirect off, else an empty optional.
  [[nodiscard]] result<std::optional<sign_out_response>> sign_out(
      bool redirect, const sign_out_options<>& options) const {
    return sign_out_impl(redirect, options.redirect_to, options.callback_url);
  }

  // get_session is `getSession()`: GET /session. It returns the session object, or an empty
  // optional when the server answers JSON null (no session). Where the JS client returns null for
  // any failure, it fails with
  //   errc::http_status      on a non-2xx status,
  //   errc::invalid_response on a body that is not JSON.
  [[nodiscard]] result<std::optional<json>> get_session() const;

  // get_csrf_token is `getCsrfToken()`: GET /csrf. Where the JS client returns "", it fails with
  //   errc::http_status      on a non-2xx status,
  //   errc::invalid_response on a body that is not JSON or has no string `csrfToken`.
  [[nodiscard]] result<std::string> get_csrf_token() const;

  // get_providers is `getProviders()`: GET /providers, the map of provider id to
  // {id, name, type, signinUrl, callbackUrl}. Where the JS client returns null, it fails with
  //   errc::http_status      on a non-2xx status,
  //   errc::invalid_response on a body that is not a JSON object.
  [[nodiscard]] result<json> get_providers() const;

  // update_session is the session `update(data)` of useSession: GET /csrf, then POST /session
  // with JSON {"csrfToken":…,"data":…}. It returns the new session, or an empty optional when the
  // server answers 400 (no session, bad CSRF) or JSON null, like the JS client's null. It fails
  // with
  //   errc::http_status      on another non-2xx status (the JS client: null),
  //   errc::invalid_response on a body that is not JSON (the JS client: null).
  [[nodiscard]] result<std::optional<json>> update_session(json data) const;

  // follow is the default navigator: it loads `url` with this client's cookies as a browser
  // would (GET, the fragment dropped, Set-Cookie stored, 301/302/303/307/308 followed). Whatever
  // the final status, the page "loaded". It fails with
  //   errc::redirect_loop if more than `max_redirects` redirects follow each other,
  //   errc::invalid_url   if `url` or a Location cannot be resolved to an http(s) URL.
  [[nodiscard]] result<void> follow(std::string_view url) const;

  // Asynchronous forms: the same calls on another thread, so that a GUI thread never blocks. The
  // future keeps the client's state alive; the arguments are copied.
  template <bool Redirect = true>
  std::future<sign_in_result<Redirect>> sign_in_async(std::string provider = {},
                                                      sign_in_options<Redirect> options = {},
                                                      authorization_params params = {}) const {
    return std::async(
        std::launch::async,
        [self = *this, provider = std::move(provider), options = std::move(options),
         params = std::move(params)] { return self.sign_in<Redirect>(provider, options, params); });
  }
  template <bool Redirect = true>
  std::future<sign_out_result<Redirect>> sign_out_async(
      sign_out_options<Redirect> options = {}) const {
    return std::async(std::launch::async, [self = *this, options = std::move(options)] {
      return self.sign_out<Redirect>(options);
    });
  }
  std::future<result<std::optional<json>>> get_session_async() const;
  std::future<result<std::string>> get_csrf_token_async() const;
  std::future<result<json>> get_providers_async() const;
  std::future<result<std::optional<json>>> update_session_async(json data) const;

  // base_url is the normalised API base ("http://127.0.0.1:3000/api/auth").
  const std::string& base_url() const noexcept;
  // current_url is the callbackUrl fallback.
  const std::string& current_url() const noexcept;
  // jar is the client's cookie jar (shared by copies of this client).
  cookie_jar& jar() const noexcept;

  struct state;

 private:
  explicit client(std::shared_ptr<const state> s) : state_(std::move(s)) {}

  result<std::optional<sign_in_response>> sign_in_impl(
      std::string_view provider, bool redirect, const std::optional<std::string>& redirect_to,
      const std::optional<std::string>& callback_url,
      const std::vector<std::pair<std::string, std::string>>& fields,
      const authorization_params& params) const;
  result<std::optional<sign_out_response>> sign_out_impl(
      bool redirect, const std::optional<std::string>& redirect_to,
      const std::optional<std::string>& callback_url) const;

  std::shared_ptr<const state> state_;
};

}  // namespace authpp::client
