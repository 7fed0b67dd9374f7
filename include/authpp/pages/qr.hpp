#pragma once

#include <authpp/core/result.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// QR codes (ISO/IEC 18004) for the TOTP enrolment page, which shows an `otpauth://totp/...` URI as
// an inline SVG. Everything is computed here: no network, no image library. Text is encoded in
// byte mode (its UTF-8 bytes as they are, no ECI), which every authenticator app reads.
namespace authpp::pages {

// qr_ecc is the error correction level: the share of codewords that may be lost and recovered,
// about 7% (low, "L"), 15% (medium, "M"), 25% (quartile, "Q") and 30% (high, "H").
enum class qr_ecc { low, medium, quartile, high };

// qr_options tunes `encode_qr`. Every member has a default so that designated initializers can
// name only what they change.
struct qr_options {
  qr_ecc level = qr_ecc::medium;
  // min_version is the smallest version (1..40) to use, to keep a stable size; a larger one is
  // chosen when the text needs it.
  int min_version = 1;
  // mask forces one of the eight data masks (0..7). When empty, all eight are scored with the
  // penalty rules of ISO/IEC 18004 §7.8.3 and the lowest score wins, as scanners expect.
  std::optional<int> mask{};
};

// qr_code is an encoded symbol: a square of `size()` × `size()` modules, without its quiet zone.
class qr_code {
 public:
  // version is 1..40; size() is 17 + 4 × version.
  int version() const noexcept { return version_; }
  int size() const noexcept { return size_; }
  qr_ecc level() const noexcept { return level_; }
  // mask is the data mask (0..7) written in the format information.
  int mask() const noexcept { return mask_; }
  // module tells whether the module in column `x`, row `y` is dark. Coordinates outside the
  // symbol read as light, like the quiet zone around it.
  bool module(int x, int y) const noexcept;

 private:
  friend result<qr_code> encode_qr(std::string_view text, const qr_options& options);
  qr_code(int version, qr_ecc level, int mask, std::vector<bool> dark);

  int version_;
  int size_;
  qr_ecc level_;
  int mask_;
  std::vector<bool> dark_;  // row-major, size_ × size_
};

// qr_byte_capacity returns how many bytes of text fit in a symbol of `version` at `level` in byte
// mode, or 0 when `version` is outside 1..40.
std::size_t qr_byte_capacity(int version, qr_ecc level) noexcept;

// encode_qr encodes the bytes of `text` in the smallest version that holds them. It fails with
//   errc::limit_exceeded  if `text` is longer than version 40 holds at the level
//                         (2953, 2331, 1663 or 1273 bytes for L, M, Q, H),
//   errc::malformed_input if `options.min_version` is outside 1..40 or `options.mask` outside 0..7.
result<qr_code> encode_qr(std::string_view text, const qr_options& options);
inline result<qr_code> encode_qr(std::string_view text, qr_ecc level = qr_ecc::medium) {
  return encode_qr(text, qr_options{.level = level});
}

// to_svg renders `code` as a self-contained SVG element: a white background and one black `<path>`
// of horizontal runs, with `shape-rendering="crispEdges"` and a viewBox of one unit per module,
// so it scales to any size the page's stylesheet gives it. It uses presentation attributes only
// (no `style`, no script, no external reference), so a page under
// `default-src 'none'; style-src 'self'` can inline it. `quiet_zone` is the light margin in modules
// (4 is what the standard asks; values are clamped to 0..64). `label` becomes the image's
// accessible name (`role="img"`, `aria-label`), escaped; it must not repeat the TOTP secret.
std::string to_svg(const qr_code& code, int quiet_zone = 4, std::string_view label = "QR code");

}  // namespace authpp::pages
