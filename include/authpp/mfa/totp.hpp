#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/random.hpp>
#include <authpp/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as every authenticator app
// computes them: a shared secret, the current 30-second step, six digits.
namespace authpp::mfa {

enum class totp_algorithm { sha1, sha256, sha512 };

// totp_params are what the app is told in the otpauth:// URI. The defaults are RFC 6238's and the
// only ones every app honours; the others exist for deployments that mandate them.
struct totp_params {
  totp_algorithm algorithm = totp_algorithm::sha1;
  int digits = 6;                   // 6 to 8
  std::chrono::seconds period{30};  // at least 1 s
  int window = 1;                   // steps accepted either side of now: clock drift, typing
};

// hotp returns RFC 4226's one-time password for `counter`: `digits` decimal digits, zero-padded.
// `digits` must be 6 to 8 and `secret` non-empty (see check_totp_params).
std::string hotp(byte_view secret, std::uint64_t counter, totp_algorithm algorithm, int digits);

// totp_step returns the step that contains `t`: whole periods since the Unix epoch (0 before it).
std::uint64_t totp_step(std::chrono::system_clock::time_point t, std::chrono::seconds period);

// totp returns the code an app shows at time `t`.
std::string totp(byte_view secret, std::chrono::system_clock::time_point t,
                 const totp_params& params = {});

// check_totp_params fails with errc::invalid_config unless digits is 6 to 8, period is at least
// one second and window is 0 to 10.
result<void> check_totp_params(const totp_params& params);

// verify_totp returns the step of the first code within `params.window` steps of `now` that
// equals `code`, or nullopt. `code` may contain spaces (apps show "123 456"); anything else but
// exactly `digits` digits never matches. Steps up to `last_used_step` never match: the caller
// stores the returned step and passes it next time, so that a code (or an older one from the
// window) cannot be replayed. Each candidate is compared in constant time.
std::optional<std::uint64_t> verify_totp(byte_view secret, std::string_view code,
                                         std::chrono::system_clock::time_point now,
                                         const totp_params& params = {},
                                         std::optional<std::uint64_t> last_used_step = {});

// new_totp_secret draws a secret of 20 bytes (160 bits, RFC 4226 §4's recommendation).
result<bytes> new_totp_secret(const random_source& source = default_random());

// base32 returns RFC 4648 base32 of `data` without padding, as otpauth URIs carry secrets.
std::string base32(byte_view data);

// otpauth_uri returns the provisioning URI an app scans (Google Authenticator's Key Uri Format):
// otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=ISSUER&algorithm=…&digits=…&period=…, with the
// label's parts and the issuer percent-encoded.
std::string otpauth_uri(std::string_view issuer, std::string_view account, byte_view secret,
                        const totp_params& params = {});

}  // namespace authpp::mfa
