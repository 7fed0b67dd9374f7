// SignInAuthorizationParams: every form of the TypeScript union serialises as
// `new URLSearchParams(x).toString()` does.
#include <authpp/client/authorization_params.hpp>

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace authpp::client {
namespace {

TEST(AuthorizationParamsTest, EmptyIsEmpty) {
  EXPECT_EQ(authorization_params{}.to_string(), "");
  EXPECT_EQ(authorization_params{""}.to_string(), "");
  EXPECT_EQ(authorization_params{"?"}.to_string(), "");
}

TEST(AuthorizationParamsTest, QueryStringIsParsedAndReserialised) {
  // new URLSearchParams("?prompt=consent&scope=a b&x=%7e&y=1+2").toString()
  EXPECT_EQ(authorization_params{"?prompt=consent&scope=a b&x=%7e&y=1+2&&z"}.to_string(),
            "prompt=consent&scope=a+b&x=%7E&y=1+2&z=");
  EXPECT_EQ(authorization_params{std::string_view("foo=bar")}.to_string(), "foo=bar");
}

TEST(AuthorizationParamsTest, PairsKeepOrderAndDuplicates) {
  std::vector<std::pair<std::string, std::string>> pairs{
      {"b", "1"}, {"a", "x y"}, {"b", "2"}, {"é", "/?&="}};
  EXPECT_EQ(authorization_params{pairs}.to_string(), "b=1&a=x+y&b=2&%C3%A9=%2F%3F%26%3D");
  EXPECT_EQ((authorization_params{{"foo", "bar"}}).to_string(), "foo=bar");
  EXPECT_EQ((authorization_params{{"foo", "bar"}, {"foo", "baz"}}).to_string(), "foo=bar&foo=baz");
}

// A Record is a JavaScript object: integer-like keys first, ascending.
TEST(AuthorizationParamsTest, RecordFollowsJavaScriptKeyOrder) {
  const std::map<std::string, std::string> record{
      {"login_hint", "ada@example.com"}, {"10", "ten"}, {"2", "two"}, {"02", "lead"}};
  EXPECT_EQ(authorization_params{record}.to_string(),
            "2=two&10=ten&02=lead&login_hint=ada%40example.com");
  EXPECT_EQ(js_object_key_order({"b", "4294967295", "7", "a", "0"}),
            (std::vector<std::string>{"0", "7", "b", "4294967295", "a"}));
}

TEST(AuthorizationParamsTest, UrlSearchParamsIsUsedAsIs) {
  http::url_search_params p;
  p.append("prompt", "consent");
  p.append("prompt", "login");
  EXPECT_EQ(authorization_params{p}.to_string(), "prompt=consent&prompt=login");
}

TEST(AuthorizationParamsTest, OversizedQueryStringIsAnError) {
  const std::string huge(70 * 1024, 'a');
  const authorization_params p{std::string_view(huge)};
  ASSERT_TRUE(p.error().has_value());
  EXPECT_EQ(p.error()->code, errc::limit_exceeded);
}

}  // namespace
}  // namespace authpp::client
