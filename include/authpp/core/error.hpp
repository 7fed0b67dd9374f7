#pragma once

#include <string>
#include <string_view>
#include <system_error>

// Errors are values in authpp: every fallible function returns `result<T>` holding either its value
// or an `auth_error`. `errc` is the detailed, stable code a caller can branch on or log.
namespace authpp {

// errc values are stable: append, never renumber. Each module owns a block of 100.
enum class errc {
  // core, http (100)
  malformed_input = 100,     // input does not follow its grammar (a message names the spot)
  limit_exceeded,            // input is longer or has more parts than the configured bound
  invalid_base64url,         // not canonical unpadded base64url (RFC 4648 §5)
  invalid_hex,               // odd length or a character outside [0-9a-fA-F]
  invalid_percent_encoding,  // a `%` not followed by two hex digits, or not UTF-8 once decoded
  invalid_url,     // not an absolute http(s) URL, or a relative reference that cannot be one
  random_failure,  // the random source could not produce bytes
  overloaded,      // a bounded queue is full: refused at once, retry later
  cancelled,       // the work was cancelled before it finished (shutdown, client gone)
  not_built,  // this build leaves out what was asked for (AUTHPP_WITH_SQLITE, _POSTGRES, _CURL)
  // jose (200)
  malformed_token = 200,  // not a compact JWE (5) or JWS (3) of canonical segments, JSON header
  unsupported_algorithm,  // `alg`/`enc` outside the allow-list
  decryption_failed,      // authentication tag mismatch: wrong key or tampered token
  token_expired,          // `exp` + leeway is not after now
  token_not_yet_valid,    // `nbf` - leeway is after now
  invalid_claims,         // payload not a JSON object; a claim missing, mistyped or unexpected
  no_matching_secret,     // no configured secret matches the token's `kid`
  invalid_key,            // key material of the wrong length or form (weak, off-curve), no secret
  crypto_failure,         // the crypto library failed (never caused by input alone)
  no_matching_key,        // no JWKS key fits the JWS's `kid` and `alg` (refetch the JWKS once)
  invalid_signature,      // keys fit, but the JWS signature verifies under none of them
  // cookies, csrf (300)
  missing_csrf = 300,  // no CSRF cookie or no token in the request body
  csrf_mismatch,       // CSRF cookie forged, or body token differs from the cookie's
  missing_chunk,       // a chunked session cookie has a gap (.0, .2 without .1)
  // adapters (500)
  storage_failure = 500,  // the storage backend failed in a way not covered below (a bug or misuse)
  already_exists,         // a user with this email or username already exists
  not_found,              // no user matches the given email or id
  storage_unavailable,    // the database cannot be read or written now (read-only, removed, I/O)
  invalid_password_hash,  // a password hash that is not an encoded `$alg$...` string
  unsupported_schema_version,  // the database was migrated by a newer authpp than this one
  // auth engine (600)
  invalid_config = 600,       // the engine's configuration is refused (the detail names the field)
  reauthentication_required,  // a provider grant cannot be renewed (no refresh token, or the
                              // provider refused it): the user must sign in there again
  engine_failure,             // the engine failed in a way the request did not cause (a bug, memory
                              // exhausted); the detail is in the engine's log
  // client (700)
  transport_failure = 700,  // network, DNS, TLS or timeout failure (the detail is curl's message)
  http_status,              // the server answered a status the call treats as failure
  invalid_response,         // a body that is not the JSON expected (non-JSON, truncated, no `url`)
  redirect_loop,            // navigation met more redirects than allowed
  response_too_large,       // the response exceeded the configured size limit
  cookie_rejected,          // a Set-Cookie the jar refuses (RFC 6265 §5.3; the detail says why)
  // net (800): the outbound HTTP(S) client. A URL it cannot fetch is errc::invalid_url and a
  // response over its size bound is errc::response_too_large (both with the meanings above).
  dns_failure = 800,  // the host name did not resolve (the detail names the host and the reason)
  connect_failure,    // no TCP connection to any of the host's addresses (refused, unreachable)
  tls_failure,  // TLS handshake failed: untrusted or mismatched certificate, no common version
  timed_out,    // connect_timeout (DNS + TCP + TLS) or total_timeout elapsed first
  connection_closed,  // the server closed or reset the connection before a response began
  bad_http,           // the reply is not HTTP/1.x, or it ended before its declared length
  // mail (900): delivering sign-in e-mails. A connection that fails is one of the net codes
  // above (dns_failure, connect_failure, tls_failure, timed_out) or transport_failure.
  mail_rejected = 900,  // the SMTP server refused the sender, the recipient or the message
                        // (the detail carries its reply code and text)
  mail_auth_failed,     // the SMTP server refused the username and password (AUTH)
};

// error_category returns the category of `errc`; its messages are short English phrases.
const std::error_category& error_category() noexcept;
std::error_code make_error_code(errc code) noexcept;

// auth_error is the failure half of a `result<T>`. `detail` is for logs: it may name a field, a
// provider or a claim, never a secret, token, password or cookie value.
struct auth_error {
  errc code;
  std::string detail;

  // message joins the code's phrase and the detail: "invalid base64url: padding is not allowed".
  std::string message() const;
};

}  // namespace authpp

template <>
struct std::is_error_code_enum<authpp::errc> : std::true_type {};
