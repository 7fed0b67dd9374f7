#pragma once

#include <authpp/core/result.hpp>
#include <authpp/mail/mail.hpp>

namespace authpp::mail {

// check_link makes the checks every sender owes its callers (sender::send): `to` is one
// addr-spec (errc::malformed_input) and `url` an absolute http(s) URL (errc::invalid_url). The
// details never repeat the URL, whose query holds the sign-in token.
[[nodiscard]] result<void> check_link(const sign_in_link& link);

}  // namespace authpp::mail
