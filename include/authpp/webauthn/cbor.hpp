#pragma once

#include <authpp/core/bytes.hpp>
#include <authpp/core/result.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// A strict, bounded CBOR (RFC 8949) decoder for the subset WebAuthn and CTAP2 use: attestation
// objects, COSE keys, authenticator extension maps. It accepts exactly one spelling of each value,
// so that decode and encode are inverse on everything it accepts:
//
//   - integers (major types 0 and 1) of up to 64 bits; a negative integer below INT64_MIN is
//     refused (no WebAuthn structure holds one, and it has no int64_t);
//   - byte strings and text strings (major types 2 and 3); text must be well-formed UTF-8;
//   - arrays and maps (major types 4 and 5), map keys integers or text strings only (all COSE and
//     WebAuthn use), no key twice, kept in their encoded order (any order is accepted: the
//     attestation object's keys arrive in more than one order in the wild);
//   - false, true, null and undefined (simple values 20-23).
//
// Refused, each with its offset and reason: indefinite lengths, tags, floats, other simple
// values, the reserved additional-information values 28-30, a stray "break", and any integer or
// length not in its shortest form (CTAP2 §8 canonical form and RFC 8949 §4.2.1 preferred
// serialization). A value has one spelling because credential keys are stored and compared as
// bytes, and because two decoders that disagree on a lenient form are an attack surface.
namespace authpp::webauthn {

struct cbor_map_entry;

// cbor_value is one decoded CBOR data item. Values are plain data: copyable, comparable.
class cbor_value {
 public:
  enum class kind {
    unsigned_integer,  // major type 0: 0 .. 2^64-1
    negative_integer,  // major type 1: INT64_MIN .. -1
    byte_string,
    text_string,
    array,
    map,
    boolean,
    null,
    undefined,
  };
  using array_type = std::vector<cbor_value>;
  using map_type = std::vector<cbor_map_entry>;

  // The default value is null. The special members are defined out of line, where
  // cbor_map_entry is complete: a map holds entries that hold values.
  cbor_value();
  cbor_value(const cbor_value&);
  cbor_value(cbor_value&&) noexcept;
  cbor_value& operator=(const cbor_value&);
  cbor_value& operator=(cbor_value&&) noexcept;
  ~cbor_value();

  static cbor_value unsigned_integer(std::uint64_t v);
  // integer returns an unsigned integer for v >= 0, else a negative one.
  static cbor_value integer(std::int64_t v);
  static cbor_value byte_string(bytes b);
  static cbor_value text_string(std::string s);
  static cbor_value array(array_type items);
  static cbor_value map(map_type entries);
  static cbor_value boolean(bool b);
  static cbor_value null();
  static cbor_value undefined();

  kind type() const noexcept { return static_cast<kind>(v_.index()); }

  // as_int64 returns the integer if this is one that fits std::int64_t, else nullopt.
  std::optional<std::int64_t> as_int64() const noexcept;
  // as_uint64 returns the integer if this is an unsigned integer, else nullopt.
  std::optional<std::uint64_t> as_uint64() const noexcept;
  // as_bool returns the value of false or true, else nullopt.
  std::optional<bool> as_bool() const noexcept;
  // The accessors below return nullptr when the value is of another kind.
  const bytes* as_bytes() const noexcept { return std::get_if<bytes>(&v_); }
  const std::string* as_text() const noexcept { return std::get_if<std::string>(&v_); }
  const array_type* as_array() const noexcept { return std::get_if<array_type>(&v_); }
  const map_type* as_map() const noexcept { return std::get_if<map_type>(&v_); }

  // find returns the value of the map entry whose key is the integer `key` (or the text `key`),
  // nullptr when this is not a map or has no such key.
  const cbor_value* find(std::int64_t key) const noexcept;
  const cbor_value* find(std::string_view key) const noexcept;

  friend bool operator==(const cbor_value&, const cbor_value&);

 private:
  struct negative {
    std::int64_t value;
    friend bool operator==(negative, negative) = default;
  };
  struct null_tag {
    friend bool operator==(null_tag, null_tag) = default;
  };
  struct undefined_tag {
    friend bool operator==(undefined_tag, undefined_tag) = default;
  };
  // The alternatives are in the order of `kind`.
  using storage = std::variant<std::uint64_t, negative, bytes, std::string, array_type, map_type,
                               bool, null_tag, undefined_tag>;

  explicit cbor_value(storage v);

  storage v_;
};

// cbor_map_entry is one key and value of a map, in encoded order.
struct cbor_map_entry {
  cbor_value key;
  cbor_value value;
  friend bool operator==(const cbor_map_entry&, const cbor_map_entry&) = default;
};

// cbor_limits bounds one decode. Every bound is checked before the memory it guards is taken.
struct cbor_limits {
  std::size_t max_input_size = 64 * 1024;  // bytes of input, checked before anything else
  std::size_t max_depth = 16;              // nested arrays and maps (a top-level map is 1)
  std::size_t max_container_items = 256;   // elements of one array, entries of one map
  std::size_t max_total_items = 2048;      // data items in all, map keys included
};

// decode_cbor decodes `input`, which must hold exactly one data item. It fails with
//   errc::limit_exceeded   if `input` is longer than `limits.max_input_size` or the item nests,
//                          or holds, more than the limits allow,
//   errc::malformed_input  if the item is truncated, followed by more bytes, or outside the
//                          subset above (the detail names the offset and the reason).
[[nodiscard]] result<cbor_value> decode_cbor(byte_view input, const cbor_limits& limits = {});

// cbor_prefix is a data item decoded from the start of longer input, and its encoded size.
struct cbor_prefix {
  cbor_value value;
  std::size_t size;  // bytes the item took; the rest of the input follows it
};

// decode_cbor_prefix decodes the data item at the start of `input` and says where it ended, for
// structures where CBOR is followed by more data (authenticator data: the credential key, then
// the extensions). Failures as decode_cbor's, without the one for trailing bytes.
[[nodiscard]] result<cbor_prefix> decode_cbor_prefix(byte_view input,
                                                     const cbor_limits& limits = {});

// encode_cbor returns the canonical encoding of `value`: shortest lengths, definite lengths, map
// entries in their stored order. decode_cbor(encode_cbor(v)) == v, and encode_cbor(decode_cbor(b))
// == b for every `b` decode_cbor accepts. Text is written as stored (decode_cbor refuses it later
// if it is not UTF-8).
bytes encode_cbor(const cbor_value& value);

}  // namespace authpp::webauthn
