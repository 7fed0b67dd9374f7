#include <authpp/core/base64url.hpp>
#include <authpp/jose/hkdf.hpp>
#include <authpp/jose/jwe.hpp>
#include <authpp/mfa/sealed_secret.hpp>

namespace authpp::mfa {
namespace {

constexpr std::string_view prefix = "v1.";
constexpr std::size_t iv_bytes = 12;
constexpr std::size_t tag_bytes = 16;
constexpr std::size_t max_sealed = 1024;

// key_for derives this purpose's own key: the session-token keys and this one never coincide.
result<bytes> key_for(std::string_view auth_secret) {
  return jose::hkdf_sha256(as_bytes(auth_secret), as_bytes("authpp.mfa.sealed-secret"),
                           as_bytes("authpp second-factor secret v1"), 32);
}

}  // namespace

result<std::string> seal_secret(byte_view secret, std::string_view user_id,
                                const std::vector<std::string>& auth_secrets,
                                const random_source& random) {
  if (auth_secrets.empty()) return auth_error{errc::invalid_config, "no AUTH_SECRET to seal with"};
  auto key = key_for(auth_secrets.front());
  if (!key) return key.error();
  auto iv = random_bytes(random, iv_bytes);
  if (!iv) return iv.error();
  // The user id is the associated data: the sealed secret opens for this user only.
  auto sealed = jose::aes_256_gcm_encrypt(*key, *iv, secret, as_bytes(user_id));
  if (!sealed) return sealed.error();
  bytes body = std::move(sealed->ciphertext);
  body.insert(body.end(), sealed->tag.begin(), sealed->tag.end());
  return std::string(prefix) + base64url::encode(*iv) + "." + base64url::encode(body);
}

result<bytes> open_secret(std::string_view sealed, std::string_view user_id,
                          const std::vector<std::string>& auth_secrets) {
  const auto malformed = [] {
    return auth_error{errc::malformed_input, "sealed secret: not v1.<iv>.<ciphertext>"};
  };
  if (sealed.size() > max_sealed || !sealed.starts_with(prefix)) return malformed();
  sealed.remove_prefix(prefix.size());
  const auto dot = sealed.find('.');
  if (dot == std::string_view::npos) return malformed();
  auto iv = base64url::decode(sealed.substr(0, dot));
  auto body = base64url::decode(sealed.substr(dot + 1));
  if (!iv || !body || iv->size() != iv_bytes || body->size() < tag_bytes) return malformed();
  const auto split = body->end() - static_cast<std::ptrdiff_t>(tag_bytes);
  const bytes ciphertext(body->begin(), split);
  const bytes tag(split, body->end());
  for (const std::string& secret : auth_secrets) {
    auto key = key_for(secret);
    if (!key) return key.error();
    if (auto opened = jose::aes_256_gcm_decrypt(*key, *iv, ciphertext, tag, as_bytes(user_id))) {
      return opened;
    }
  }
  return auth_error{errc::decryption_failed, "sealed secret: no AUTH_SECRET opens it"};
}

}  // namespace authpp::mfa
