#include <authpp/core/error.hpp>

namespace authpp {
namespace {

std::string_view phrase(errc code) noexcept {
  switch (code) {
    case errc::malformed_input:
      return "malformed input";
    case errc::limit_exceeded:
      return "limit exceeded";
    case errc::invalid_base64url:
      return "invalid base64url";
    case errc::invalid_hex:
      return "invalid hex";
    case errc::invalid_percent_encoding:
      return "invalid percent-encoding";
    case errc::invalid_url:
      return "invalid URL";
    case errc::random_failure:
      return "random source failed";
    case errc::overloaded:
      return "overloaded";
    case errc::cancelled:
      return "cancelled";
    case errc::not_built:
      return "not in this build";
    case errc::malformed_token:
      return "malformed token";
    case errc::unsupported_algorithm:
      return "unsupported algorithm";
    case errc::decryption_failed:
      return "decryption failed";
    case errc::token_expired:
      return "token expired";
    case errc::token_not_yet_valid:
      return "token not yet valid";
    case errc::invalid_claims:
      return "invalid claims";
    case errc::no_matching_secret:
      return "no matching secret";
    case errc::invalid_key:
      return "invalid key";
    case errc::crypto_failure:
      return "crypto library failure";
    case errc::no_matching_key:
      return "no matching key";
    case errc::invalid_signature:
      return "invalid signature";
    case errc::missing_csrf:
      return "missing CSRF token";
    case errc::csrf_mismatch:
      return "CSRF token mismatch";
    case errc::missing_chunk:
      return "missing cookie chunk";
    case errc::storage_failure:
      return "storage failure";
    case errc::already_exists:
      return "already exists";
    case errc::not_found:
      return "not found";
    case errc::storage_unavailable:
      return "storage unavailable";
    case errc::invalid_password_hash:
      return "invalid password hash";
    case errc::unsupported_schema_version:
      return "unsupported schema version";
    case errc::invalid_config:
      return "invalid configuration";
    case errc::reauthentication_required:
      return "reauthentication required";
    case errc::engine_failure:
      return "engine failure";
    case errc::transport_failure:
      return "transport failure";
    case errc::http_status:
      return "unexpected HTTP status";
    case errc::invalid_response:
      return "invalid response";
    case errc::redirect_loop:
      return "redirect loop";
    case errc::response_too_large:
      return "response too large";
    case errc::cookie_rejected:
      return "cookie rejected";
    case errc::dns_failure:
      return "DNS resolution failed";
    case errc::connect_failure:
      return "connection failed";
    case errc::tls_failure:
      return "TLS failure";
    case errc::timed_out:
      return "timed out";
    case errc::connection_closed:
      return "connection closed by the server";
    case errc::bad_http:
      return "malformed HTTP response";
    case errc::mail_rejected:
      return "mail rejected by the server";
    case errc::mail_auth_failed:
      return "mail server refused the credentials";
  }
  return "unknown error";
}

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "authpp"; }
  std::string message(int value) const override {
    return std::string(phrase(static_cast<errc>(value)));
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc code) noexcept {
  return {static_cast<int>(code), error_category()};
}

std::string auth_error::message() const {
  std::string out(phrase(code));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace authpp
