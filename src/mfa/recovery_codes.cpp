#include <authpp/core/constant_time.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/mfa/recovery_codes.hpp>
#include <authpp/mfa/totp.hpp>

namespace authpp::mfa {
namespace {

constexpr std::size_t code_bytes = 10;  // 80 bits: 16 base32 characters

// normalized drops the separators a person may type and folds ASCII case.
std::string normalized(std::string_view code) {
  std::string out;
  out.reserve(code.size());
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
  return out;
}

// grouped shows 16 characters as four groups of four, lower-case: easier to copy by hand.
std::string grouped(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && i % 4 == 0) out.push_back('-');
    const char c = text[i];
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

}  // namespace

result<recovery_codes> new_recovery_codes(const random_source& source, std::size_t count) {
  recovery_codes out;
  for (std::size_t i = 0; i < count; ++i) {
    auto drawn = random_bytes(source, code_bytes);
    if (!drawn) return drawn.error();
    out.codes.push_back(grouped(base32(*drawn)));
    out.hashes.push_back(hash_recovery_code(out.codes.back()));
  }
  return out;
}

std::string hash_recovery_code(std::string_view code) {
  return "sha256:" + hex::encode(jose::sha256(normalized(code)));
}

std::optional<std::size_t> find_recovery_code(std::string_view code,
                                              const std::vector<std::string>& hashes) {
  const std::string candidate = hash_recovery_code(code);
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    if (constant_time_equal(candidate, hashes[i]) && !found) found = i;
  }
  return found;
}

}  // namespace authpp::mfa
