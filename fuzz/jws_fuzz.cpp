// Fuzzes verify_jws with a hostile JWK Set and token, and check_id_token_claims with the token's
// payload. Input: `<JWKS JSON> NUL <compact JWS>`; without a NUL byte the whole input is the token
// and the keys are the RFC 7515 and RFC 8037 example keys, so that mutated published tokens reach
// the signature checks. Properties: nothing crashes; a token that verifies does so again with the
// same result, and its payload re-encodes to the token's own payload segment.
#include <authpp/core/base64url.hpp>
#include <authpp/core/clock.hpp>
#include <authpp/jose/id_token.hpp>
#include <authpp/jose/jws.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace authpp;

constexpr std::array<jose::jws_algorithm, 10> all = {
    jose::jws_algorithm::rs256, jose::jws_algorithm::rs384, jose::jws_algorithm::rs512,
    jose::jws_algorithm::ps256, jose::jws_algorithm::ps384, jose::jws_algorithm::ps512,
    jose::jws_algorithm::es256, jose::jws_algorithm::es384, jose::jws_algorithm::es512,
    jose::jws_algorithm::eddsa};

// RFC 7515 A.2 (RSA), A.3 (P-256) and RFC 8037 A.2 (Ed25519) public keys.
constexpr std::string_view default_jwks =
    R"({"keys":[{"kty":"RSA","kid":"rsa","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8)"
    R"(W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2)"
    R"(jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xs)"
    R"(mtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91k)"
    R"(zk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"},{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9)"
    R"(tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},{"kty":"OKP)"
    R"(","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";

class fixed_clock final : public authpp::clock {
 public:
  time_point now() const override { return time_point(std::chrono::seconds(1300819000)); }
};

void check_claims(std::string_view token) {
  // The payload segment, whatever the signature: the claim checks see hostile JSON directly.
  const std::size_t first = token.find('.');
  if (first == std::string_view::npos) return;
  const std::string_view rest = token.substr(first + 1);
  auto payload = base64url::decode(rest.substr(0, rest.find('.')));
  if (!payload) return;
  const jose::id_token_expectations expected{"joe", "client", std::nullopt};
  static_cast<void>(jose::check_id_token_claims(as_chars(*payload), expected, fixed_clock{}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);  // NOLINT
  const std::size_t nul = input.find('\0');
  const std::string_view jwks_text =
      nul == std::string_view::npos ? default_jwks : input.substr(0, nul);
  const std::string_view token = nul == std::string_view::npos ? input : input.substr(nul + 1);
  auto keys = jose::jwk_set::parse(jwks_text);
  if (!keys) return 0;
  auto first = jose::verify_jws(token, *keys, all);
  check_claims(token);
  if (!first) return 0;
  auto second = jose::verify_jws(token, *keys, all);
  if (!second || second->payload != first->payload || second->header != first->header ||
      second->alg != first->alg || !first->header.is_object()) {
    std::abort();
  }
  const std::string_view rest = token.substr(token.find('.') + 1);
  if (base64url::encode(first->payload) != rest.substr(0, rest.find('.'))) std::abort();
  return 0;
}
