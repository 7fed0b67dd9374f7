// Compact JWE serialisation (RFC 7516 §7.1) with `alg` "dir" (RFC 7518 §4.5).
#include <authpp/core/base64url.hpp>
#include <authpp/jose/jwe.hpp>

#include <algorithm>
#include <array>
#include <utility>

namespace authpp::jose {
namespace {

constexpr std::size_t segment_count = 5;
using segments = std::array<std::string_view, segment_count>;

auth_error malformed(std::string detail) {
  return auth_error{errc::malformed_token, std::move(detail)};
}

// split_segments cuts `token` at its dots; anything but exactly five segments (RFC 7516 §7.1:
// header, encrypted key, IV, ciphertext, tag) is refused.
std::optional<segments> split_segments(std::string_view token) {
  segments out;
  std::size_t i = 0;
  for (;; ++i) {
    const std::size_t dot = token.find('.');
    if (i == segment_count - 1) {
      if (dot != std::string_view::npos) return std::nullopt;
      out[i] = token;
      return out;
    }
    if (dot == std::string_view::npos) return std::nullopt;
    out[i] = token.substr(0, dot);
    token.remove_prefix(dot + 1);
  }
}

result<bytes> decode_segment(std::string_view segment, const char* name) {
  auto decoded = base64url::decode(segment);
  if (!decoded) return malformed(std::string(name) + " is not canonical base64url");
  return decoded;
}

// string_member returns header[name] when it is a string, nullopt when it is absent.
result<std::optional<std::string>> string_member(const json& header, const char* name) {
  const auto it = header.find(name);
  if (it == header.end()) return std::optional<std::string>{};
  if (!it->is_string()) return malformed(std::string("header `") + name + "` is not a string");
  return std::optional<std::string>{it->get<std::string>()};
}

// header_fields is what the rest of the token depends on: the (allowed) `enc` and the `kid`.
struct header_fields {
  content_encryption enc;
  std::optional<std::string> kid;
};

// check_header enforces the caller's allow-list; the header only names a choice, it never
// makes one (the algorithm-confusion defence).
result<header_fields> check_header(const json& header,
                                   std::span<const content_encryption> allowed) {
  auto alg = string_member(header, "alg");
  if (!alg) return alg.error();
  auto enc = string_member(header, "enc");
  if (!enc) return enc.error();
  if (!*alg || !*enc) return malformed("header lacks `alg` or `enc`");
  if (**alg != "dir") return auth_error{errc::unsupported_algorithm, "`alg` is not \"dir\""};
  const auto match = std::find_if(allowed.begin(), allowed.end(),
                                  [&](content_encryption e) { return enc_name(e) == **enc; });
  if (match == allowed.end()) {
    return auth_error{errc::unsupported_algorithm, "`enc` is not in the allow-list"};
  }
  // RFC 7516 §4.1.3: we implement no compression; RFC 7515 §4.1.11: we understand no extension.
  if (header.contains("zip")) return auth_error{errc::unsupported_algorithm, "`zip` is set"};
  if (header.contains("crit")) return malformed("header has `crit`");
  auto kid = string_member(header, "kid");
  if (!kid) return kid.error();
  return header_fields{*match, std::move(*kid)};
}

constexpr std::array<bool, 256> make_base64url_table() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<std::size_t>(c)] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                         (c >= '0' && c <= '9') || c == '-' || c == '_';
  }
  return table;
}
constexpr auto base64url_chars = make_base64url_table();

bool is_base64url_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return base64url_chars[static_cast<unsigned char>(c)]; });
}

// canonical_header recognises, without a JSON parser, the one header form Auth.js and authpp
// emit: {"alg":"dir","enc":"<allowed enc>","kid":"<base64url>"}, `kid` optional. A text of that
// exact form parses to exactly those members, so the answer equals check_header's; anything else
// goes through the parser.
std::optional<header_fields> canonical_header(std::string_view text,
                                              std::span<const content_encryption> allowed) {
  constexpr std::string_view alg_enc = R"({"alg":"dir","enc":")";
  if (!text.starts_with(alg_enc)) return std::nullopt;
  text.remove_prefix(alg_enc.size());
  for (const content_encryption enc : allowed) {
    const std::string_view name = enc_name(enc);
    if (!text.starts_with(name) || text.substr(name.size(), 1) != "\"") continue;
    const std::string_view rest = text.substr(name.size() + 1);
    if (rest == "}") return header_fields{enc, std::nullopt};
    constexpr std::string_view kid_open = R"(,"kid":")";
    constexpr std::string_view kid_close = R"("})";
    if (!rest.starts_with(kid_open) || !rest.ends_with(kid_close) ||
        rest.size() < kid_open.size() + kid_close.size()) {
      return std::nullopt;
    }
    const std::string_view kid =
        rest.substr(kid_open.size(), rest.size() - kid_open.size() - kid_close.size());
    if (!is_base64url_text(kid)) return std::nullopt;
    return header_fields{enc, std::string(kid)};
  }
  return std::nullopt;
}

result<header_fields> parse_header(std::string_view segment,
                                   std::span<const content_encryption> allowed) {
  auto raw = decode_segment(segment, "protected header");
  if (!raw) return raw.error();
  if (auto fields = canonical_header(as_chars(*raw), allowed)) return std::move(*fields);
  const auto header = parse_json(as_chars(*raw));
  if (!header || !header->is_object()) return malformed("protected header is not a JSON object");
  return check_header(*header, allowed);
}

result<std::string> encode_header(content_encryption enc, std::optional<std::string_view> kid) {
  // A thumbprint `kid` (base64url) needs no escaping: write the canonical form directly.
  if (!kid || is_base64url_text(*kid)) {
    std::string text = R"({"alg":"dir","enc":")";
    text += enc_name(enc);
    if (kid) {
      text += R"(","kid":")";
      text += *kid;
    }
    text += "\"}";
    return base64url::encode(text);
  }
  json header = json::object();
  header["alg"] = "dir";
  header["enc"] = std::string(enc_name(enc));
  if (kid) header["kid"] = std::string(*kid);
  try {
    return base64url::encode(header.dump());
  } catch (const json::type_error&) {  // dump() throws on invalid UTF-8, the only bad input
    return malformed("`kid` is not valid UTF-8");
  }
}

result<aead_sealed> seal(const content_key& key, byte_view iv, byte_view plaintext, byte_view aad) {
  if (key.enc() == content_encryption::a256gcm) {
    return aes_256_gcm_encrypt(key.raw(), iv, plaintext, aad);
  }
  return aes_cbc_hmac_sha512_encrypt(key, iv, plaintext, aad);
}

}  // namespace

std::string_view enc_name(content_encryption enc) noexcept {
  return enc == content_encryption::a256gcm ? "A256GCM" : "A256CBC-HS512";
}
std::size_t cek_size(content_encryption enc) noexcept {
  return enc == content_encryption::a256gcm ? 32 : 64;
}
std::size_t iv_size(content_encryption enc) noexcept {
  return enc == content_encryption::a256gcm ? 12 : 16;
}
std::size_t tag_size(content_encryption enc) noexcept {
  return enc == content_encryption::a256gcm ? 16 : 32;
}

result<compact_jwe> parse_compact(std::string_view token,
                                  std::span<const content_encryption> allowed,
                                  std::size_t max_size) {
  if (token.size() > max_size) return auth_error{errc::limit_exceeded, "token is too long"};
  const auto parts = split_segments(token);
  if (!parts) return malformed("not five dot-separated segments");
  auto header = parse_header((*parts)[0], allowed);
  if (!header) return header.error();
  if (!(*parts)[1].empty()) return malformed("encrypted key must be empty for \"dir\"");

  auto iv = decode_segment((*parts)[2], "IV");
  if (!iv) return iv.error();
  if (iv->size() != iv_size(header->enc)) return malformed("IV has the wrong length");
  auto ciphertext = decode_segment((*parts)[3], "ciphertext");
  if (!ciphertext) return ciphertext.error();
  auto tag = decode_segment((*parts)[4], "tag");
  if (!tag) return tag.error();
  return compact_jwe{header->enc,    std::move(header->kid), std::string((*parts)[0]),
                     std::move(*iv), std::move(*ciphertext), std::move(*tag)};
}

result<bytes> decrypt(const compact_jwe& jwe, const content_key& key) {
  if (key.enc() != jwe.enc) return auth_error{errc::invalid_key, "key is for another `enc`"};
  // RFC 7516 §5.2 step 14: the AAD is the ASCII of the encoded protected header, as sent.
  const byte_view aad = as_bytes(jwe.encoded_header);
  if (jwe.enc == content_encryption::a256gcm) {
    return aes_256_gcm_decrypt(key.raw(), jwe.iv, jwe.ciphertext, jwe.tag, aad);
  }
  return aes_cbc_hmac_sha512_decrypt(key, jwe.iv, jwe.ciphertext, jwe.tag, aad);
}

result<bytes> decrypt(const compact_jwe& jwe, byte_view key) {
  auto prepared = content_key::make(jwe.enc, key);
  if (!prepared) return prepared.error();
  return decrypt(jwe, *prepared);
}

result<std::string> encrypt_compact(byte_view plaintext, byte_view key, content_encryption enc,
                                    const random_source& random,
                                    std::optional<std::string_view> kid) {
  auto prepared = content_key::make(enc, key);
  if (!prepared) return prepared.error();
  return encrypt_compact(plaintext, *prepared, random, kid);
}

result<std::string> encrypt_compact(byte_view plaintext, const content_key& key,
                                    const random_source& random,
                                    std::optional<std::string_view> kid) {
  const content_encryption enc = key.enc();
  auto header = encode_header(enc, kid);
  if (!header) return header.error();
  auto iv = random_bytes(random, iv_size(enc));
  if (!iv) return iv.error();
  auto sealed = seal(key, *iv, plaintext, as_bytes(*header));
  if (!sealed) return sealed.error();
  // RFC 7516 §7.1; the encrypted key segment is empty for "dir".
  const std::string parts[] = {base64url::encode(*iv), base64url::encode(sealed->ciphertext),
                               base64url::encode(sealed->tag)};
  std::string token = std::move(*header);
  token.reserve(token.size() + 5 + parts[0].size() + parts[1].size() + parts[2].size());
  token.append("..").append(parts[0]).append(".").append(parts[1]).append(".").append(parts[2]);
  return token;
}

}  // namespace authpp::jose
