#pragma once

#include <authpp/core/result.hpp>

#include <string>
#include <string_view>

// Mail addresses as the SMTP envelope and the headers need them. The grammar is deliberately a
// strict subset of RFC 5322: ASCII dot-atom local parts and host-name domains only, so that an
// accepted address can be written into an SMTP command or a header line as it is.
namespace authpp::mail {

// max_address_bytes is RFC 5321 §4.5.3.1.3's path limit less the angle brackets.
inline constexpr std::size_t max_address_bytes = 254;

// is_addr_spec tells whether `address` is local@domain with a dot-atom local part (RFC 5322
// §3.4.1, at most 64 bytes) and a domain of LDH labels (at most 63 bytes each).
bool is_addr_spec(std::string_view address) noexcept;

// mailbox is a parsed "Name <addr>" or "addr".
struct mailbox {
  std::string display_name;  // trimmed; empty when absent
  std::string address;       // an addr-spec
};

// parse_mailbox parses `text`. The display name is any UTF-8 without control characters; the
// header writer quotes or encodes it. It fails with errc::malformed_input (the detail never
// repeats the input) on CR, LF or another control character, invalid UTF-8, a missing or extra
// angle bracket, or an address that is not an addr-spec.
[[nodiscard]] result<mailbox> parse_mailbox(std::string_view text);

// domain_of returns the part of an addr-spec after its '@'.
std::string_view domain_of(std::string_view address) noexcept;

}  // namespace authpp::mail
