#include <authpp/core/base64url.hpp>
#include <authpp/jose/digest.hpp>
#include <authpp/jose/jwk.hpp>

namespace authpp::jose {

std::string jwk_thumbprint_oct(byte_view key) {
  // RFC 7638 §3.2: no whitespace, members sorted; base64url never needs JSON escaping.
  const std::string canonical = R"({"k":")" + base64url::encode(key) + R"(","kty":"oct"})";
  if (key.size() == 64) return base64url::encode(sha512(canonical));
  return base64url::encode(sha256(canonical));
}

}  // namespace authpp::jose
