// Fuzzes the key readers: jwk_set::parse, public_key::from_jwk, private_key::from_jwk and
// private_key::from_pem on the same hostile text. Properties (BoringSSL's re-serialise check):
// every key a set keeps exports a JWK that imports to the same key, kept and skipped keys together
// are at most the set's entries, and a private key that imports signs what its own public half
// verifies.
#include <authpp/jose/jws.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace authpp;

void check_round_trip(const jose::public_key& key) {
  auto again = jose::public_key::from_jwk(key.to_jwk());
  if (!again || again->to_jwk() != key.to_jwk() || again->type() != key.type()) std::abort();
}

void check_signs(const jose::private_key& key) {
  // Any algorithm the key fits: the one it names, or for RSA without `alg`, PS256.
  const jose::jws_algorithm alg = key.algorithm().value_or(jose::jws_algorithm::ps256);
  auto token = jose::sign_jws(json::object(), "fuzz", key, alg);
  if (!token) std::abort();
  auto keys = jose::jwk_set::parse(R"({"keys":[)" + key.public_jwk("k") + "]}");
  if (!keys || keys->keys().size() != 1) std::abort();
  const std::array<jose::jws_algorithm, 1> allowed = {alg};
  auto verified = jose::verify_jws(*token, *keys, allowed);
  if (!verified || verified->payload != "fuzz") std::abort();
  check_round_trip(key.public_part());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  if (auto set = jose::jwk_set::parse(text)) {
    if (set->keys().size() + set->skipped().size() > jose::jwks_options{}.max_keys) std::abort();
    for (const jose::public_jwk& key : set->keys()) check_round_trip(key.key);
  }
  if (auto key = jose::public_key::from_jwk(text)) check_round_trip(*key);
  if (auto key = jose::private_key::from_jwk(text)) check_signs(*key);
  if (auto key = jose::private_key::from_pem(text)) check_signs(*key);
  return 0;
}
