#include <authpp/core/utf8.hpp>
#include <authpp/webauthn/cbor.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace authpp::webauthn {

cbor_value::cbor_value() : v_(std::in_place_index<7>) {}
cbor_value::cbor_value(const cbor_value&) = default;
cbor_value::cbor_value(cbor_value&&) noexcept = default;
cbor_value& cbor_value::operator=(const cbor_value&) = default;
cbor_value& cbor_value::operator=(cbor_value&&) noexcept = default;
cbor_value::~cbor_value() = default;
cbor_value::cbor_value(storage v) : v_(std::move(v)) {}

cbor_value cbor_value::unsigned_integer(std::uint64_t v) {
  return cbor_value(storage(std::in_place_index<0>, v));
}

cbor_value cbor_value::integer(std::int64_t v) {
  if (v >= 0) return unsigned_integer(static_cast<std::uint64_t>(v));
  return cbor_value(storage(std::in_place_index<1>, negative{v}));
}

cbor_value cbor_value::byte_string(bytes b) {
  return cbor_value(storage(std::in_place_index<2>, std::move(b)));
}

cbor_value cbor_value::text_string(std::string s) {
  return cbor_value(storage(std::in_place_index<3>, std::move(s)));
}

cbor_value cbor_value::array(array_type items) {
  return cbor_value(storage(std::in_place_index<4>, std::move(items)));
}

cbor_value cbor_value::map(map_type entries) {
  return cbor_value(storage(std::in_place_index<5>, std::move(entries)));
}

cbor_value cbor_value::boolean(bool b) { return cbor_value(storage(std::in_place_index<6>, b)); }

cbor_value cbor_value::null() { return {}; }

cbor_value cbor_value::undefined() { return cbor_value(storage(std::in_place_index<8>)); }

std::optional<std::int64_t> cbor_value::as_int64() const noexcept {
  if (const auto* u = std::get_if<0>(&v_)) {
    if (*u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*u);
  }
  if (const auto* n = std::get_if<1>(&v_)) return n->value;
  return std::nullopt;
}

std::optional<std::uint64_t> cbor_value::as_uint64() const noexcept {
  if (const auto* u = std::get_if<0>(&v_)) return *u;
  return std::nullopt;
}

std::optional<bool> cbor_value::as_bool() const noexcept {
  if (const auto* b = std::get_if<6>(&v_)) return *b;
  return std::nullopt;
}

const cbor_value* cbor_value::find(std::int64_t key) const noexcept {
  const map_type* m = as_map();
  if (m == nullptr) return nullptr;
  for (const cbor_map_entry& e : *m) {
    if (e.key.as_int64() == key) return &e.value;
  }
  return nullptr;
}

const cbor_value* cbor_value::find(std::string_view key) const noexcept {
  const map_type* m = as_map();
  if (m == nullptr) return nullptr;
  for (const cbor_map_entry& e : *m) {
    const std::string* text = e.key.as_text();
    if (text != nullptr && *text == key) return &e.value;
  }
  return nullptr;
}

bool operator==(const cbor_value& a, const cbor_value& b) { return a.v_ == b.v_; }

namespace {

// RFC 8949 §3: the three high bits of the initial byte.
enum major_type : std::uint8_t {
  major_unsigned = 0,
  major_negative = 1,
  major_bytes = 2,
  major_text = 3,
  major_array = 4,
  major_map = 5,
  major_tag = 6,
  major_simple = 7,
};

class decoder {
 public:
  decoder(byte_view input, const cbor_limits& limits) : in_(input), limits_(limits) {}

  result<cbor_value> item(std::size_t depth) {
    const std::size_t start = pos_;
    if (pos_ == in_.size()) return malformed(start, "truncated: a data item is missing");
    if (++items_ > limits_.max_total_items) {
      return limit(start, "more data items than the total item budget");
    }
    const auto initial = static_cast<std::uint8_t>(in_[pos_++]);
    const auto major = static_cast<std::uint8_t>(initial >> 5);
    const auto info = static_cast<std::uint8_t>(initial & 0x1f);
    if (major == major_tag) return malformed(start, "tags are not supported");
    if (major == major_simple) return simple(start, info);
    if (info == 31) return malformed(start, "indefinite lengths are not supported");
    auto arg = argument(start, info);
    if (!arg) return arg.error();
    switch (major) {
      case major_unsigned:
        return cbor_value::unsigned_integer(*arg);
      case major_negative:
        // RFC 8949 §3.1: the value is -1 - arg. Only those that fit int64_t are kept.
        if (*arg > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return malformed(start, "negative integer below INT64_MIN");
        }
        return cbor_value::integer(-static_cast<std::int64_t>(*arg) - 1);
      case major_bytes:
      case major_text:
        return string(start, major, *arg);
      case major_array:
        return array(start, *arg, depth);
      default:
        return map(start, *arg, depth);
    }
  }

  std::size_t position() const noexcept { return pos_; }

 private:
  std::size_t remaining() const noexcept { return in_.size() - pos_; }

  static auth_error malformed(std::size_t at, std::string_view why) {
    return {errc::malformed_input,
            "cbor at offset " + std::to_string(at) + ": " + std::string(why)};
  }
  static auth_error limit(std::size_t at, std::string_view why) {
    return {errc::limit_exceeded, "cbor at offset " + std::to_string(at) + ": " + std::string(why)};
  }

  // argument reads the integer or length after the initial byte and insists on its shortest form
  // (CTAP2 §8 canonical CBOR, RFC 8949 §4.2.1): one value, one spelling.
  result<std::uint64_t> argument(std::size_t start, std::uint8_t info) {
    if (info < 24) return std::uint64_t{info};
    if (info > 27) return malformed(start, "reserved additional information value");
    const std::size_t width = std::size_t{1} << (info - 24);  // 1, 2, 4 or 8 bytes
    if (remaining() < width) return malformed(start, "truncated: the argument is cut short");
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v = v << 8 | static_cast<std::uint8_t>(in_[pos_ + i]);
    pos_ += width;
    const std::uint64_t smallest = width == 1 ? 24 : std::uint64_t{1} << (4 * width);
    if (v < smallest) return malformed(start, "integer or length not in its shortest form");
    return v;
  }

  result<cbor_value> simple(std::size_t start, std::uint8_t info) {
    switch (info) {
      case 20:
        return cbor_value::boolean(false);
      case 21:
        return cbor_value::boolean(true);
      case 22:
        return cbor_value::null();
      case 23:
        return cbor_value::undefined();
      case 25:
      case 26:
      case 27:
        return malformed(start, "floating-point numbers are not supported");
      case 31:
        return malformed(start, "break outside an indefinite-length item");
      default:
        return malformed(start, "unsupported simple value");
    }
  }

  result<cbor_value> string(std::size_t start, std::uint8_t major, std::uint64_t length) {
    // The declared length is checked against what is left before a single byte is allocated.
    if (length > remaining()) {
      return malformed(start, "truncated: declares " + std::to_string(length) + " bytes but " +
                                  std::to_string(remaining()) + " remain");
    }
    const byte_view content = in_.subspan(pos_, static_cast<std::size_t>(length));
    pos_ += content.size();
    if (major == major_bytes) return cbor_value::byte_string(bytes(content.begin(), content.end()));
    if (!is_utf8(as_chars(content))) return malformed(start, "text string is not valid UTF-8");
    return cbor_value::text_string(std::string(as_chars(content)));
  }

  // container_count checks a declared element count against the bounds and the input left (each
  // element takes at least one byte) before anything is reserved for it.
  result<std::size_t> container_count(std::size_t start, std::uint64_t count,
                                      std::uint64_t bytes_per_element, std::size_t depth) {
    if (depth + 1 > limits_.max_depth) return limit(start, "nested deeper than the depth limit");
    if (count > limits_.max_container_items) {
      return limit(start, "declares " + std::to_string(count) + " elements, over the limit");
    }
    if (count * bytes_per_element > remaining()) {
      return malformed(start, "truncated: declares " + std::to_string(count) +
                                  " elements but too few bytes remain");
    }
    return static_cast<std::size_t>(count);
  }

  result<cbor_value> array(std::size_t start, std::uint64_t declared, std::size_t depth) {
    auto count = container_count(start, declared, 1, depth);
    if (!count) return count.error();
    cbor_value::array_type items;
    items.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
      auto element = item(depth + 1);
      if (!element) return element.error();
      items.push_back(std::move(*element));
    }
    return cbor_value::array(std::move(items));
  }

  result<cbor_value> map(std::size_t start, std::uint64_t declared, std::size_t depth) {
    auto count = container_count(start, declared, 2, depth);
    if (!count) return count.error();
    cbor_value::map_type entries;
    entries.reserve(*count);
    // Each key's encoded bytes: encodings are unique here, so equal keys have equal bytes.
    struct key_span {
      byte_view encoded;
      std::size_t offset;
    };
    std::vector<key_span> keys;
    keys.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
      const std::size_t key_start = pos_;
      auto key = item(depth + 1);
      if (!key) return key.error();
      if (key->type() != cbor_value::kind::unsigned_integer &&
          key->type() != cbor_value::kind::negative_integer &&
          key->type() != cbor_value::kind::text_string) {
        return malformed(key_start, "map key is not an integer or a text string");
      }
      keys.push_back({in_.subspan(key_start, pos_ - key_start), key_start});
      auto value = item(depth + 1);
      if (!value) return value.error();
      entries.push_back({std::move(*key), std::move(*value)});
    }
    // RFC 8949 §5.6: a map with a key twice is not valid; decoders differ on which value wins,
    // which is exactly the ambiguity an attacker wants.
    std::sort(keys.begin(), keys.end(), [](const key_span& a, const key_span& b) {
      return std::lexicographical_compare(a.encoded.begin(), a.encoded.end(), b.encoded.begin(),
                                          b.encoded.end());
    });
    for (std::size_t i = 1; i < keys.size(); ++i) {
      if (std::equal(keys[i].encoded.begin(), keys[i].encoded.end(), keys[i - 1].encoded.begin(),
                     keys[i - 1].encoded.end())) {
        return malformed(std::max(keys[i].offset, keys[i - 1].offset), "duplicate map key");
      }
    }
    return cbor_value::map(std::move(entries));
  }

  byte_view in_;
  const cbor_limits& limits_;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
};

void write_head(bytes& out, std::uint8_t major, std::uint64_t arg) {
  const auto initial = [&](std::uint8_t info) {
    out.push_back(static_cast<std::byte>(major << 5 | info));
  };
  std::size_t width = 0;
  if (arg < 24) {
    initial(static_cast<std::uint8_t>(arg));
    return;
  }
  if (arg <= 0xff) {
    initial(24);
    width = 1;
  } else if (arg <= 0xffff) {
    initial(25);
    width = 2;
  } else if (arg <= 0xffffffff) {
    initial(26);
    width = 4;
  } else {
    initial(27);
    width = 8;
  }
  for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<std::byte>(arg >> (8 * i)));
}

void write(bytes& out, const cbor_value& v) {
  switch (v.type()) {
    case cbor_value::kind::unsigned_integer:
      write_head(out, major_unsigned, *v.as_uint64());
      return;
    case cbor_value::kind::negative_integer:
      write_head(out, major_negative, static_cast<std::uint64_t>(-(*v.as_int64() + 1)));
      return;
    case cbor_value::kind::byte_string:
      write_head(out, major_bytes, v.as_bytes()->size());
      out.insert(out.end(), v.as_bytes()->begin(), v.as_bytes()->end());
      return;
    case cbor_value::kind::text_string: {
      const byte_view text = authpp::as_bytes(*v.as_text());
      write_head(out, major_text, text.size());
      out.insert(out.end(), text.begin(), text.end());
      return;
    }
    case cbor_value::kind::array:
      write_head(out, major_array, v.as_array()->size());
      for (const cbor_value& element : *v.as_array()) write(out, element);
      return;
    case cbor_value::kind::map:
      write_head(out, major_map, v.as_map()->size());
      for (const cbor_map_entry& e : *v.as_map()) {
        write(out, e.key);
        write(out, e.value);
      }
      return;
    case cbor_value::kind::boolean:
      out.push_back(*v.as_bool() ? std::byte{0xf5} : std::byte{0xf4});
      return;
    case cbor_value::kind::null:
      out.push_back(std::byte{0xf6});
      return;
    case cbor_value::kind::undefined:
      out.push_back(std::byte{0xf7});
      return;
  }
}

}  // namespace

result<cbor_prefix> decode_cbor_prefix(byte_view input, const cbor_limits& limits) {
  if (input.size() > limits.max_input_size) {
    return auth_error{errc::limit_exceeded, "cbor input of " + std::to_string(input.size()) +
                                                " bytes is over the size limit"};
  }
  decoder d(input, limits);
  auto value = d.item(0);
  if (!value) return value.error();
  return cbor_prefix{std::move(*value), d.position()};
}

result<cbor_value> decode_cbor(byte_view input, const cbor_limits& limits) {
  auto prefix = decode_cbor_prefix(input, limits);
  if (!prefix) return prefix.error();
  if (prefix->size != input.size()) {
    return auth_error{errc::malformed_input, "cbor at offset " + std::to_string(prefix->size) +
                                                 ": trailing bytes after " + "the data item"};
  }
  return std::move(prefix->value);
}

bytes encode_cbor(const cbor_value& value) {
  bytes out;
  write(out, value);
  return out;
}

}  // namespace authpp::webauthn
