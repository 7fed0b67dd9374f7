#include <authpp/core/hex.hpp>
#include <authpp/webauthn/cbor.hpp>

#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "python_tool.hpp"
#include "test_support/test_support.hpp"

namespace authpp::webauthn {
namespace {

using authpp::test::error_of;
using authpp::test::from_hex;

result<cbor_value> decode_hex(std::string_view hex, const cbor_limits& limits = {}) {
  return decode_cbor(from_hex(hex), limits);
}

std::string to_hex(byte_view b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::byte x : b) {
    out += digits[std::to_integer<int>(x) >> 4];
    out += digits[std::to_integer<int>(x) & 15];
  }
  return out;
}

// diagnostic writes the notation of cbor2_vectors.py, to compare decoded values with cbor2's.
std::string diagnostic(const cbor_value& v) {
  switch (v.type()) {
    case cbor_value::kind::unsigned_integer:
      return std::to_string(*v.as_uint64());
    case cbor_value::kind::negative_integer:
      return std::to_string(*v.as_int64());
    case cbor_value::kind::byte_string:
      return "h'" + to_hex(*v.as_bytes()) + "'";
    case cbor_value::kind::text_string:
      return "t'" + to_hex(as_bytes(*v.as_text())) + "'";
    case cbor_value::kind::array: {
      std::string out = "[";
      for (const cbor_value& e : *v.as_array()) out += (out.size() > 1 ? "," : "") + diagnostic(e);
      return out + "]";
    }
    case cbor_value::kind::map: {
      std::string out = "{";
      for (const cbor_map_entry& e : *v.as_map()) {
        out += (out.size() > 1 ? "," : "") + diagnostic(e.key) + ":" + diagnostic(e.value);
      }
      return out + "}";
    }
    case cbor_value::kind::boolean:
      return *v.as_bool() ? "true" : "false";
    case cbor_value::kind::null:
      return "null";
    case cbor_value::kind::undefined:
      return "undefined";
  }
  return "?";
}

// RFC 8949 Appendix A examples inside the supported subset: each decodes to the value shown
// and re-encodes to the same bytes.
TEST(CborTest, DecodesRfc8949AppendixAExamplesAndReencodesThem) {
  const std::vector<std::pair<std::string_view, std::string_view>> examples = {
      {"00", "0"},
      {"17", "23"},
      {"1818", "24"},
      {"1864", "100"},
      {"1903e8", "1000"},
      {"1a000f4240", "1000000"},
      {"1b000000e8d4a51000", "1000000000000"},
      {"1bffffffffffffffff", "18446744073709551615"},
      {"20", "-1"},
      {"3863", "-100"},
      {"3903e7", "-1000"},
      {"f4", "false"},
      {"f5", "true"},
      {"f6", "null"},
      {"f7", "undefined"},
      {"40", "h''"},
      {"4401020304", "h'01020304'"},
      {"60", "t''"},
      {"6449455446", "t'49455446'"},
      {"62c3bc", "t'c3bc'"},
      {"64f0908591", "t'f0908591'"},
      {"80", "[]"},
      {"8301820203820405", "[1,[2,3],[4,5]]"},
      {"a201020304", "{1:2,3:4}"},
      {"a26161016162820203", "{t'61':1,t'62':[2,3]}"},
  };
  for (const auto& [hex, diag] : examples) {
    SCOPED_TRACE(hex);
    auto v = decode_hex(hex);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(diagnostic(*v), diag);
    EXPECT_EQ(to_hex(encode_cbor(*v)), hex);
  }
}

TEST(CborTest, KeepsIntegersAtTheEdgesOfInt64) {
  auto min = decode_hex("3b7fffffffffffffff");
  ASSERT_TRUE(min);
  EXPECT_EQ(min->as_int64(), std::numeric_limits<std::int64_t>::min());
  auto max = decode_hex("1b7fffffffffffffff");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->as_int64(), std::numeric_limits<std::int64_t>::max());
  auto above = decode_hex("1b8000000000000000");
  ASSERT_TRUE(above);
  EXPECT_EQ(above->as_int64(), std::nullopt);  // an unsigned integer beyond int64_t
  EXPECT_EQ(above->as_uint64(), std::uint64_t{1} << 63);
}

// -2^63 - 1 has no int64_t: refused rather than wrapped into a positive number.
TEST(CborTest, RefusesNegativeIntegersBelowInt64Min) {
  EXPECT_EQ(error_of(decode_hex("3b8000000000000000")), errc::malformed_input);
  EXPECT_EQ(error_of(decode_hex("3bffffffffffffffff")), errc::malformed_input);
}

TEST(CborTest, FindsMapEntriesByIntegerAndTextKey) {
  auto v = decode_hex("a30361610161622040");  // {3: "a", 1: "b", -1: h''}
  ASSERT_TRUE(v) << v.error().message();
  ASSERT_NE(v->find(1), nullptr);
  EXPECT_EQ(*v->find(1)->as_text(), "b");
  ASSERT_NE(v->find(-1), nullptr);
  EXPECT_TRUE(v->find(-1)->as_bytes()->empty());
  EXPECT_EQ(v->find(2), nullptr);
  EXPECT_EQ(v->find("a"), nullptr);
  auto t = decode_hex("a1636b65790a");  // {"key": 10}
  ASSERT_TRUE(t);
  ASSERT_NE(t->find("key"), nullptr);
  EXPECT_EQ(t->find("key")->as_int64(), 10);
}

// Authenticator data holds a COSE key followed by the extension map: the decoder must say where
// the first item ended.
TEST(CborTest, PrefixDecodeReportsWhereTheItemEnded) {
  const bytes input = from_hex(
      "a201020304"
      "a1636b65790a");
  auto first = decode_cbor_prefix(input);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_EQ(first->size, 5U);
  EXPECT_EQ(diagnostic(first->value), "{1:2,3:4}");
  auto second = decode_cbor(byte_view(input).subspan(first->size));
  ASSERT_TRUE(second);
  EXPECT_EQ(diagnostic(*second), "{t'6b6579':10}");
}

TEST(CborTest, RefusesTruncatedInputAtEveryLength) {
  const std::string full =
      "a363666d74667061636b65646761747453746d74a263616c672663736967430102036861757468446174614401"
      "020304";
  ASSERT_TRUE(decode_hex(full));
  for (std::size_t n = 0; n < full.size(); n += 2) {
    SCOPED_TRACE(n / 2);
    auto v = decode_hex(full.substr(0, n));
    EXPECT_EQ(error_of(v), errc::malformed_input);
    if (!v) {
      EXPECT_NE(v.error().detail.find("truncated"), std::string::npos) << v.error().detail;
    }
  }
}

// Bytes after the item would let two parsers see different things in one buffer.
TEST(CborTest, RefusesTrailingBytes) {
  auto v = decode_hex(
      "a0"
      "00");
  ASSERT_EQ(error_of(v), errc::malformed_input);
  EXPECT_NE(v.error().detail.find("offset 1"), std::string::npos) << v.error().detail;
  EXPECT_NE(v.error().detail.find("trailing"), std::string::npos);
}

// A few bytes of nested arrays must not exhaust the stack.
TEST(CborTest, RefusesDepthBomb) {
  std::string sixteen(32, '8');
  for (std::size_t i = 1; i < sixteen.size(); i += 2) sixteen[i] = '1';  // 0x81 × 16
  EXPECT_TRUE(decode_hex(sixteen + "00"));
  EXPECT_EQ(error_of(decode_hex("81" + sixteen + "00")), errc::limit_exceeded);
  const bytes bomb(1000000, std::byte{0x81});
  cbor_limits big_input;
  big_input.max_input_size = bomb.size();
  EXPECT_EQ(error_of(decode_cbor(bomb, big_input)), errc::limit_exceeded);
  const bytes map_bomb(60000, std::byte{0xa1});  // {{{…: …}: …}
  EXPECT_EQ(error_of(decode_cbor(map_bomb)), errc::limit_exceeded);
}

// A declared length is checked against the input before anything is allocated.
TEST(CborTest, RefusesHugeDeclaredLengths) {
  for (std::string_view hex : {"5bffffffffffffffff00", "5affffffff00", "7b7fffffffffffffff61",
                               "590100" /* 256 bytes declared, none given */}) {
    SCOPED_TRACE(hex);
    auto v = decode_hex(hex);
    EXPECT_EQ(error_of(v), errc::malformed_input);
  }
  // Counts beyond the container limit fail as limits, smaller ones as truncation.
  EXPECT_EQ(error_of(decode_hex("9bffffffffffffffff")), errc::limit_exceeded);
  EXPECT_EQ(error_of(decode_hex("bbffffffffffffffff")), errc::limit_exceeded);
  EXPECT_EQ(error_of(decode_hex("98ff00")), errc::malformed_input);
  EXPECT_EQ(error_of(decode_hex("b8800000")), errc::malformed_input);
}

TEST(CborTest, EnforcesContainerAndTotalItemLimits) {
  cbor_limits limits;
  limits.max_container_items = 3;
  EXPECT_TRUE(decode_hex("83010203", limits));
  EXPECT_EQ(error_of(decode_hex("8401020304", limits)), errc::limit_exceeded);
  limits = {};
  limits.max_total_items = 4;
  EXPECT_TRUE(decode_hex("83010203", limits));  // the array and three integers
  EXPECT_EQ(error_of(decode_hex("8401020304", limits)), errc::limit_exceeded);
  limits = {};
  limits.max_input_size = 4;
  EXPECT_EQ(error_of(decode_hex("8401020304", limits)), errc::limit_exceeded);
}

// Decoders differ on which of two equal keys wins: an authenticator's "alg" could read as one
// algorithm here and another elsewhere.
TEST(CborTest, RefusesDuplicateMapKeys) {
  for (std::string_view hex : {"a201020103", "a2616101616102", "a3012003260126", "a2200120f6"}) {
    SCOPED_TRACE(hex);
    auto v = decode_hex(hex);
    ASSERT_EQ(error_of(v), errc::malformed_input);
    EXPECT_NE(v.error().detail.find("duplicate map key"), std::string::npos) << v.error().detail;
  }
  EXPECT_TRUE(decode_hex("a2016161616101"));  // 1 and "a" are different keys
}

// One value, one spelling: a non-shortest length or integer is refused.
TEST(CborTest, RefusesNonShortestEncodings) {
  for (std::string_view hex : {"1817", "190017", "1900ff", "1a0000ffff", "1b00000000ffffffff",
                               "3817", "5800", "590001ff", "7800", "9800", "b800", "1a00000000"}) {
    SCOPED_TRACE(hex);
    auto v = decode_hex(hex);
    ASSERT_EQ(error_of(v), errc::malformed_input);
    EXPECT_NE(v.error().detail.find("shortest"), std::string::npos) << v.error().detail;
  }
}

TEST(CborTest, RefusesWhatWebAuthnNeverSends) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"5f4101ff", "indefinite"},
      {"7f6161ff", "indefinite"},
      {"9f01ff", "indefinite"},
      {"bf0101ff", "indefinite"},
      {"c074323031332d30332d32315432303a30343a30305a", "tags"},
      {"d82401", "tags"},
      {"f93c00", "floating"},
      {"fa47c35000", "floating"},
      {"fb3ff199999999999a", "floating"},
      {"f0", "simple value"},
      {"f820", "simple value"},
      {"ff", "break"},
      {"1c", "reserved"},
      {"3d", "reserved"},
      {"5e", "reserved"},
  };
  for (const auto& [hex, reason] : cases) {
    SCOPED_TRACE(hex);
    auto v = decode_hex(hex);
    ASSERT_EQ(error_of(v), errc::malformed_input);
    EXPECT_NE(v.error().detail.find(reason), std::string::npos) << v.error().detail;
  }
}

TEST(CborTest, RefusesTextThatIsNotUtf8) {
  for (std::string_view hex : {"62c080", "63eda080", "61ff", "64f4908080", "62c3"}) {
    SCOPED_TRACE(hex);
    EXPECT_EQ(error_of(decode_hex(hex)), errc::malformed_input);
  }
}

// Keys that are arrays, maps, byte strings or simple values have no place in COSE or WebAuthn,
// and comparing them for duplicates would need deep equality.
TEST(CborTest, RefusesMapKeysThatAreNotIntegersOrText) {
  for (std::string_view hex : {"a14001", "a18001", "a1a001", "a1f501", "a1f601"}) {
    SCOPED_TRACE(hex);
    auto v = decode_hex(hex);
    ASSERT_EQ(error_of(v), errc::malformed_input);
    EXPECT_NE(v.error().detail.find("map key"), std::string::npos);
  }
}

TEST(CborTest, ErrorsNameTheOffset) {
  auto v = decode_hex("8301f902");  // a float at offset 2
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().detail.find("offset 2"), std::string::npos) << v.error().detail;
}

TEST(CborTest, EncodesBuiltValuesCanonically) {
  cbor_value::map_type key;
  key.push_back({cbor_value::integer(1), cbor_value::integer(2)});
  key.push_back({cbor_value::integer(3), cbor_value::integer(-7)});
  key.push_back({cbor_value::integer(-1), cbor_value::integer(1)});
  key.push_back({cbor_value::text_string("k"), cbor_value::byte_string(bytes(24))});
  const cbor_value v = cbor_value::map(std::move(key));
  const bytes encoded = encode_cbor(v);
  EXPECT_EQ(to_hex(encoded), "a4010203262001616b5818" + std::string(48, '0'));
  auto back = decode_cbor(encoded);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, v);
}

// cbor2 (Debian python3-cbor2), an independent implementation, writes canonical encodings of
// fixed and random values; each must decode to the same value and re-encode to the same bytes.
TEST(CborTest, AgreesWithCbor2OnItsCanonicalEncodings) {
  const auto tool = test::run_python("cbor2_vectors.py");
  ASSERT_EQ(tool.status, 0) << test::missing_package_message("python3-cbor2");
  std::istringstream lines(tool.out);
  std::string hex;
  std::string diag;
  std::size_t count = 0;
  while (lines >> hex >> diag) {
    SCOPED_TRACE(hex);
    auto v = decode_hex(hex);
    ASSERT_TRUE(v) << v.error().message();
    EXPECT_EQ(diagnostic(*v), diag);
    EXPECT_EQ(to_hex(encode_cbor(*v)), hex);
    ++count;
  }
  EXPECT_GE(count, 300U);
}

}  // namespace
}  // namespace authpp::webauthn
