// Fuzzes the WebAuthn CBOR decoder, and the authenticator data and attestation object parsers
// built on it. Properties: nothing crashes; a prefix decode never claims more bytes than it was
// given; what decodes re-encodes to exactly the bytes it came from (the decoder accepts one
// spelling per value), and decodes again to an equal value.
#include <authpp/webauthn/attestation.hpp>
#include <authpp/webauthn/authenticator_data.hpp>
#include <authpp/webauthn/cbor.hpp>
#include <authpp/webauthn/cose.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

using namespace authpp;
using namespace authpp::webauthn;

void check_round_trip(byte_view input) {
  auto prefix = decode_cbor_prefix(input);
  auto whole = decode_cbor(input);
  if (!prefix) {
    if (whole) std::abort();  // a whole decode cannot succeed where its prefix fails
    return;
  }
  if (prefix->size == 0 || prefix->size > input.size()) std::abort();
  if (whole.has_value() != (prefix->size == input.size())) std::abort();
  const bytes encoded = encode_cbor(prefix->value);
  if (!std::equal(encoded.begin(), encoded.end(), input.begin(), input.begin() + prefix->size) ||
      encoded.size() != prefix->size) {
    std::abort();
  }
  auto again = decode_cbor(encoded);
  if (!again || !(*again == prefix->value)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const byte_view input(reinterpret_cast<const std::byte*>(data), size);  // NOLINT
  check_round_trip(input);
  // The same bytes as the structures WebAuthn builds from CBOR.
  static_cast<void>(parse_authenticator_data(input));
  static_cast<void>(cose_key::parse(input));
  if (auto object = parse_attestation_object(input)) {
    static_cast<void>(verify_attestation(*object, byte_view{}));
  }
  return 0;
}
