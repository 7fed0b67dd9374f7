#include <authpp/core/json.hpp>

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "test_support/test_support.hpp"

namespace authpp {
namespace {

// parse_json must agree with the library on every input, valid or not (fuzz/json_parse explores
// further); these are the edges of RFC 8259 and of the library's typing.
TEST(JsonTest, AgreesWithTheLibrary) {
  for (std::string_view text : {
           R"({"name":"Alice","iat":1700000000,"exp":1.7e9,"ok":true,"no":false,"x":null})",
           R"( [ 1 , -1 , 0 , -0 , 0.5 , -2.5e10 , 1E+2 , 1e-2 ] )",
           R"([18446744073709551615,18446744073709551616,-9223372036854775808])",
           R"([-9223372036854775809,1e400,-1e400,1e-400])",
           R"({"a":{"b":[true,{"c":[[[]]]}]}})",
           R"("\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r")",
           "\"é日本😀\x7f\"",
           R"({"dup":1,"other":2,"dup":3})",
           R"({"x":"\u0000"})",
           "\xEF\xBB\xBF{\"bom\":1}",
           // Refused by both:
           "",
           " ",
           "{",
           "}",
           "[1,]",
           "{\"a\":1,}",
           "{a:1}",
           "{'a':1}",
           "01",
           "1.",
           ".5",
           "-",
           "+1",
           "1e",
           "1e+",
           "0x10",
           "NaN",
           "Infinity",
           "tru",
           "nul",
           "[1 2]",
           "{\"a\" 1}",
           "1 2",
           "\"\t\"",
           "\"\\x\"",
           "\"\\u12\"",
           "\"\\ud800\"",
           "\"\\udc00\"",
           "\"\\ud800\\u0041\"",
           "\"abc",
           "\"\xC0\xAF\"",
           "\"\xED\xA0\x80\"",
           "\"\xF4\x90\x80\x80\"",
           "\"\xE2\x82\"",
           "[1]x",
           "/* c */ 1",
           "\xEF\xBB",
       }) {
    SCOPED_TRACE(text);
    const auto ours = parse_json(text);
    const json theirs = json::parse(text, nullptr, /*allow_exceptions=*/false);
    ASSERT_EQ(ours.has_value(), !theirs.is_discarded());
    if (ours) {
      EXPECT_EQ(ours->type(), theirs.type());
      EXPECT_EQ(ours->dump(), theirs.dump());
      EXPECT_EQ(dump_json(*ours).value(), theirs.dump());
    } else {
      EXPECT_EQ(ours.error().code, errc::malformed_input);
    }
  }
}

// Trailing junk smuggled after a NUL byte: the library stops reading at the NUL and accepts the
// text; parse_json, like JSON.parse, refuses it.
TEST(JsonTest, NulByteDoesNotEndTheText) {
  const std::string text("{\"a\":1}\0{\"b\":2}", 15);
  EXPECT_FALSE(json::parse(text, nullptr, false).is_discarded());
  EXPECT_EQ(test::error_of(parse_json(text)), errc::malformed_input);
  // Inside a string a NUL must be escaped, and then it is kept.
  EXPECT_EQ(test::error_of(parse_json(std::string("\"a\0b\"", 5))), errc::malformed_input);
  EXPECT_EQ(parse_json(R"("a\u0000b")").value(), std::string("a\0b", 3));
}

TEST(JsonTest, KeepsMemberOrderAndTypes) {
  auto v = parse_json(R"({"z":1,"a":-1,"m":2.5,"dup":"first","dup":"last"})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->dump(), R"({"z":1,"a":-1,"m":2.5,"dup":"last"})");
  EXPECT_TRUE((*v)["z"].is_number_unsigned());
  EXPECT_TRUE((*v)["a"].is_number_integer());
  EXPECT_TRUE((*v)["m"].is_number_float());
}

TEST(JsonTest, WriterEscapesAsTheLibraryAndRefusesWhatItRefuses) {
  json v = json::object();
  v["text"] = std::string("q\"b\\s/\x01\x1f\x7f\b\f\n\r\t\0é", 17);
  v["list"] = json::array({1, -2, 2.5, 1e21, nullptr, true, json::object()});
  v["big"] = 18446744073709551615ULL;
  EXPECT_EQ(dump_json(v).value(), v.dump());
  EXPECT_EQ(
      dump_json(v).value(),
      R"({"text":"q\"b\\s/\u0001\u001f)"
      "\x7f"
      R"(\b\f\n\r\t\u0000é","list":[1,-2,2.5,1e+21,null,true,{}],"big":18446744073709551615})");
  // Not UTF-8, in a value or a member name: dump() throws, dump_json reports it.
  for (const std::string& bad : {std::string("\xC0\xAF"), std::string("\xED\xA0\x80")}) {
    json in_value = json::object({{"s", bad}});
    json in_name = json::object({{bad, 1}});
    EXPECT_EQ(test::error_of(dump_json(in_value)), errc::malformed_input);
    EXPECT_EQ(test::error_of(dump_json(in_name)), errc::malformed_input);
    EXPECT_THROW((void)in_value.dump(), json::type_error);
  }
}

// Stack exhaustion: deep nesting is refused at the bound instead of recursing without end.
TEST(JsonTest, NestingIsBounded) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(test::error_of(parse_json(deep)), errc::limit_exceeded);
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(parse_json(ok));
  EXPECT_EQ(test::error_of(parse_json("[" + ok + "]")), errc::limit_exceeded);
  EXPECT_TRUE(parse_json("[" + ok + "]", 65));
}

// CPU exhaustion: ordered_json's own lookup made an object of n members cost O(n²) to read (a
// 64 KiB body of 8000 names, before any CSRF check). 100 000 members now read in one pass, with
// the library's rule for repeated names kept on both sides of the index.
TEST(JsonTest, ManyMembersAreReadWithTheLibrarysRules) {
  std::string text = "{";
  for (int i = 0; i < 100000; ++i)
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += R"("k0":"last","k75000":"again","k3":"x"})";
  const json v = parse_json(text).value();
  ASSERT_EQ(v.size(), 100000u);
  auto first = v.items().begin();
  EXPECT_EQ(first.key(), "k0");
  EXPECT_EQ(first.value(), "last");
  EXPECT_EQ(v["k75000"], "again");
  EXPECT_EQ(v["k3"], "x");
  EXPECT_EQ(v["k99999"], 99999);
  // Below, at and above the point where the builder starts indexing, as the library reads it.
  for (int n : {0, 1, 7, 8, 9, 20}) {
    SCOPED_TRACE(n);
    std::string small = "{";
    for (int i = 0; i < n; ++i)
      small += "\"m" + std::to_string(i % 6) + std::to_string(i) + "\":" + std::to_string(i) + ",";
    small += R"("m00":"dup","m11":"dup","z":1,"m00":"twice"})";
    EXPECT_EQ(parse_json(small).value(), json::parse(small));
    EXPECT_EQ(dump_json(parse_json(small).value()).value(), json::parse(small).dump());
  }
}

TEST(JsonTest, ObjectBuilderKeepsFirstPlaceAndLastValue) {
  json object = json::array();  // replaced by an object
  json_object_builder b(object);
  for (int i = 0; i < 12; ++i) b.member("n" + std::to_string(i)) = i;
  b.member("n2") = "two";
  b.member("n11") = "eleven";
  b.member("extra") = true;
  ASSERT_TRUE(object.is_object());
  EXPECT_EQ(object.size(), 13u);
  EXPECT_EQ(object.dump(),
            R"({"n0":0,"n1":1,"n2":"two","n3":3,"n4":4,"n5":5,"n6":6,"n7":7,"n8":8,"n9":9,)"
            R"("n10":10,"n11":"eleven","extra":true})");
}

}  // namespace
}  // namespace authpp
