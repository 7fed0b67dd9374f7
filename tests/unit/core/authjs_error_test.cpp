#include <authpp/core/authjs_error.hpp>

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace authpp {
namespace {

constexpr authjs_error last = authjs_error::session_required;

TEST(AuthjsErrorTest, EveryTypeHasOneNameThatReadsBack) {
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    const auto type = static_cast<authjs_error>(i);
    const std::string_view n = name(type);
    EXPECT_TRUE(seen.insert(std::string(n)).second) << n;
    EXPECT_EQ(parse_authjs_error(n), type) << n;
  }
}

TEST(AuthjsErrorTest, UntrustedTextIsNoType) {
  for (std::string_view text :
       {"", "configuration", "Configuration ", "<script>", "CredentialsSignIn"}) {
    EXPECT_FALSE(parse_authjs_error(text)) << text;
  }
}

// The browser learns only these types (Auth.js's isClientSafeErrorType); anything else would
// tell an attacker which check failed.
TEST(AuthjsErrorTest, ClientSafeTypesAreAuthjssList) {
  std::set<std::string> safe;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    const auto type = static_cast<authjs_error>(i);
    if (client_safe(type)) safe.insert(std::string(name(type)));
  }
  EXPECT_EQ(safe,
            (std::set<std::string>{"AccessDenied", "AccountNotLinked", "CredentialsSignin",
                                   "MissingCSRF", "OAuthAccountNotLinked", "OAuthCallbackError",
                                   "Verification", "WebAuthnVerificationError"}));
}

TEST(AuthjsErrorTest, SignInKindTypesGoBackToTheSignInPage) {
  std::set<std::string> kind;
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    const auto type = static_cast<authjs_error>(i);
    if (sign_in_kind(type)) kind.insert(std::string(name(type)));
  }
  EXPECT_EQ(kind, (std::set<std::string>{"AccountNotLinked", "CredentialsSignin",
                                         "EmailSignInError", "MissingCSRF", "OAuthAccountNotLinked",
                                         "OAuthCallbackError", "OAuthSignInError"}));
}

}  // namespace
}  // namespace authpp
