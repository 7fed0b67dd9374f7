#include <authpp/core/json.hpp>
#include <authpp/providers/presets.hpp>

#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "test_support/test_support.hpp"
#include "unit/providers/profile_support.hpp"

// GitHub's userinfo hook: the profile from /user, and, when the user keeps the address private
// (`email` null), the primary address from /user/emails. The hook is run as the engine runs it,
// with a fake `get` in place of the HTTP client.
namespace authpp::providers {
namespace {

using test::error_of;
using test::fields;
using test::user_fields;

// fake_api answers GETs from a table of URL -> result, and records the URLs asked for.
struct fake_api {
  std::map<std::string, result<json>> answers;
  std::vector<std::string> requested;

  result<json> get(const std::string& url) {
    requested.push_back(url);
    const auto it = answers.find(url);
    if (it == answers.end()) return auth_error{errc::http_status, "404 for " + url};
    return it->second;
  }
};

boost::asio::awaitable<result<json>> fake_get(fake_api* api, std::string url) {
  co_return api->get(url);
}

class GitHubUserinfoTest : public ::testing::Test {
 protected:
  oauth_provider provider_ = github({"the-client", "the-secret", ""});
  fake_api api_;

  // run awaits the provider's userinfo hook in an io_context of its own.
  result<json> run() {
    const json tokens = json{{"access_token", "gho_16C7e42F292c6912E7710c838347Ae178B4a"},
                             {"token_type", "bearer"},
                             {"scope", "read:user,user:email"}};
    const userinfo_input in{provider_, tokens,
                            [this](std::string url) { return fake_get(&api_, std::move(url)); }};
    boost::asio::io_context io;
    std::optional<result<json>> out;
    boost::asio::co_spawn(io, provider_.userinfo(in), [&out](std::exception_ptr e, result<json> r) {
      if (e) std::rethrow_exception(e);
      out.emplace(std::move(r));
    });
    io.run();
    if (!out) return auth_error{errc::cancelled, "the hook did not finish"};
    return std::move(*out);
  }

  user mapped(const json& profile) {
    const json tokens = json::object();
    return provider_.profile(profile_input{profile, tokens});
  }
};

// GET /user of https://docs.github.com/en/rest/users/users#get-the-authenticated-user, for a user
// whose e-mail is private (the API then sends `"email": null`).
constexpr std::string_view private_email_user = R"({
  "login": "octocat", "id": 1, "node_id": "MDQ6VXNlcjE=",
  "avatar_url": "https://github.com/images/error/octocat_happy.gif",
  "type": "User", "site_admin": false, "name": "monalisa octocat", "email": null
})";

// GET /user/emails of
// https://docs.github.com/en/rest/users/emails#list-email-addresses-for-the-authenticated-user,
// with a second, non-primary address listed first.
constexpr std::string_view emails = R"([
  {"email": "octocat@users.noreply.github.com", "verified": true, "primary": false,
   "visibility": null},
  {"email": "octocat@github.com", "verified": true, "primary": true, "visibility": "private"}
])";

TEST_F(GitHubUserinfoTest, PrivateEmailComesFromThePrimaryOfUserEmails) {
  api_.answers.emplace("https://api.github.com/user", parse_json(private_email_user).value());
  api_.answers.emplace("https://api.github.com/user/emails", parse_json(emails).value());
  auto profile = run();
  ASSERT_TRUE(profile) << profile.error().message();
  EXPECT_EQ(api_.requested, (std::vector<std::string>{"https://api.github.com/user",
                                                      "https://api.github.com/user/emails"}));
  EXPECT_EQ((*profile)["email"], "octocat@github.com");
  EXPECT_EQ(fields(mapped(*profile)),
            (user_fields{"1", "monalisa octocat", "octocat@github.com",
                         "https://github.com/images/error/octocat_happy.gif"}));
}

TEST_F(GitHubUserinfoTest, PublicEmailNeedsNoSecondRequest) {
  json user = parse_json(private_email_user).value();
  user["email"] = "octocat@github.com";
  api_.answers.emplace("https://api.github.com/user", user);
  auto profile = run();
  ASSERT_TRUE(profile);
  EXPECT_EQ(api_.requested, std::vector<std::string>{"https://api.github.com/user"});
  EXPECT_EQ(*profile, user);
}

TEST_F(GitHubUserinfoTest, WithoutAPrimaryTheFirstAddressIsTaken) {
  api_.answers.emplace("https://api.github.com/user", parse_json(private_email_user).value());
  api_.answers.emplace("https://api.github.com/user/emails",
                       parse_json(R"([{"email":"first@example.com","verified":true,"primary":false},
                     {"email":"second@example.com","verified":false,"primary":false}])")
                           .value());
  auto profile = run();
  ASSERT_TRUE(profile);
  EXPECT_EQ((*profile)["email"], "first@example.com");
}

// A hostile or broken API: a `primary` that is not a boolean marks nothing primary (it used to
// throw, ending the sign-in as an internal error).
TEST_F(GitHubUserinfoTest, APrimaryFlagThatIsNotABooleanIsIgnored) {
  api_.answers.emplace("https://api.github.com/user", parse_json(private_email_user).value());
  api_.answers.emplace("https://api.github.com/user/emails",
                       parse_json(R"([{"email":"first@example.com","primary":"yes"},
                     {"email":"second@example.com","primary":true}])")
                           .value());
  auto profile = run();
  ASSERT_TRUE(profile);
  EXPECT_EQ((*profile)["email"], "second@example.com");
}

// No address at all (an empty list): the profile keeps its null e-mail, and the user has none.
TEST_F(GitHubUserinfoTest, AnEmptyListLeavesTheEmailNull) {
  api_.answers.emplace("https://api.github.com/user", parse_json(private_email_user).value());
  api_.answers.emplace("https://api.github.com/user/emails", json::array());
  auto profile = run();
  ASSERT_TRUE(profile);
  EXPECT_TRUE((*profile)["email"].is_null());
  EXPECT_EQ(mapped(*profile).email, std::nullopt);
}

TEST_F(GitHubUserinfoTest, FailuresOfEitherRequestEndTheSignIn) {
  // /user fails.
  EXPECT_EQ(error_of(run()), errc::http_status);
  // /user answers, /user/emails fails (a token without the user:email scope gets 404).
  api_.answers.emplace("https://api.github.com/user", parse_json(private_email_user).value());
  EXPECT_EQ(error_of(run()), errc::http_status);
  // /user answers something other than an object.
  api_.answers.insert_or_assign("https://api.github.com/user", json::array());
  EXPECT_EQ(error_of(run()), errc::invalid_response);
}

TEST_F(GitHubUserinfoTest, EnterpriseServerAsksItsOwnApi) {
  provider_ = github({"the-client", "the-secret", "https://github.example.com"});
  api_.answers.emplace("https://github.example.com/api/v3/user",
                       parse_json(private_email_user).value());
  api_.answers.emplace("https://github.example.com/api/v3/user/emails", parse_json(emails).value());
  auto profile = run();
  ASSERT_TRUE(profile);
  EXPECT_EQ(api_.requested,
            (std::vector<std::string>{"https://github.example.com/api/v3/user",
                                      "https://github.example.com/api/v3/user/emails"}));
  EXPECT_EQ((*profile)["email"], "octocat@github.com");
}

}  // namespace
}  // namespace authpp::providers
