#include <authpp/core/json.hpp>
#include <authpp/providers/oauth.hpp>

#include <string_view>

#include <gtest/gtest.h>

#include "unit/providers/profile_support.hpp"

// default_profile, Auth.js's mapping for providers without their own (server-flows.md §7.1):
// id = sub ?? id, name = name ?? nickname ?? preferred_username, email, image = picture. `??`
// skips absent and null members, not empty strings.
namespace authpp {
namespace {

using test::fields;
using test::user_fields;

user_fields mapped(std::string_view profile_json) {
  const json profile = parse_json(profile_json).value();
  const json tokens = json::object();
  return fields(default_profile(profile_input{profile, tokens}));
}

TEST(DefaultProfileTest, StandardClaims) {
  EXPECT_EQ(mapped(R"({"sub":"248289761001","name":"Jane Doe","email":"janedoe@example.com",
                       "picture":"http://example.com/janedoe/me.jpg"})"),
            (user_fields{"248289761001", "Jane Doe", "janedoe@example.com",
                         "http://example.com/janedoe/me.jpg"}));
}

TEST(DefaultProfileTest, SubWinsOverId) {
  EXPECT_EQ(std::get<0>(mapped(R"({"sub":"s-1","id":"i-1"})")), "s-1");
  EXPECT_EQ(std::get<0>(mapped(R"({"id":"i-1"})")), "i-1");
  EXPECT_EQ(std::get<0>(mapped(R"({"sub":null,"id":"i-1"})")), "i-1");
  EXPECT_EQ(std::get<0>(mapped(R"({})")), std::nullopt);
}

// A numeric id (GitHub's, GitLab's) becomes its decimal text, as String(id) does, up to 64 bits.
TEST(DefaultProfileTest, IntegerIdsBecomeDecimalText) {
  EXPECT_EQ(std::get<0>(mapped(R"({"id":583231})")), "583231");
  EXPECT_EQ(std::get<0>(mapped(R"({"id":0})")), "0");
  EXPECT_EQ(std::get<0>(mapped(R"({"id":-7})")), "-7");
  EXPECT_EQ(std::get<0>(mapped(R"({"id":18446744073709551615})")), "18446744073709551615");
  EXPECT_EQ(std::get<0>(mapped(R"({"sub":42,"id":"i"})")), "42");
}

// Members of other types are not made into text: the engine then uses a fresh UUID.
TEST(DefaultProfileTest, OtherTypesAreIgnored) {
  for (const std::string_view profile : {R"({"id":true})", R"({"id":1.5})", R"({"id":{"v":1}})",
                                         R"({"id":["1"]})", R"({"id":null})"}) {
    SCOPED_TRACE(profile);
    EXPECT_EQ(mapped(profile), (user_fields{}));
  }
  EXPECT_EQ(mapped(R"({"sub":"s","name":["A"],"email":false,"picture":{}})"),
            (user_fields{"s", std::nullopt, std::nullopt, std::nullopt}));
}

TEST(DefaultProfileTest, NameFallsBackToNicknameThenPreferredUsername) {
  EXPECT_EQ(std::get<1>(mapped(R"({"name":"N","nickname":"K","preferred_username":"P"})")), "N");
  EXPECT_EQ(std::get<1>(mapped(R"({"nickname":"K","preferred_username":"P"})")), "K");
  EXPECT_EQ(std::get<1>(mapped(R"({"name":null,"nickname":null,"preferred_username":"P"})")), "P");
  EXPECT_EQ(std::get<1>(mapped(R"({"email":"e@example.com"})")), std::nullopt);
  // `??` keeps an empty string.
  EXPECT_EQ(std::get<1>(mapped(R"({"name":"","nickname":"K"})")), "");
}

// image comes from `picture` only: an `avatar_url` or `image` member needs the provider's own
// mapping.
TEST(DefaultProfileTest, ImageIsPictureOnly) {
  EXPECT_EQ(std::get<3>(mapped(R"({"avatar_url":"https://a","image":"https://b"})")), std::nullopt);
}

TEST(DefaultProfileTest, NonObjectProfileGivesAnEmptyUser) {
  for (const std::string_view profile : {"[]", "null", "\"sub\"", "17"}) {
    SCOPED_TRACE(profile);
    EXPECT_EQ(mapped(profile), (user_fields{}));
  }
}

}  // namespace
}  // namespace authpp
