// Property: any sequence of client calls leaves the cookie jar in a state the next call handles,
// and the session the server reports always matches what the sequence implies.
#include <random>

#include "engine_fixture.hpp"

namespace authpp::test {
namespace {

TEST_F(EngineTest, AnySequenceOfCallsKeepsTheJarConsistent) {
  auto c = config();
  c.callbacks.jwt = [](const jwt_params& p) -> std::optional<json> {
    json token = p.token;
    // Some sessions are large enough to be chunked, so chunk clean-up is exercised too.
    if (p.trigger == jwt_trigger::update && p.session) token["pad"] = (*p.session)["pad"];
    return token;
  };
  const auto a = build(std::move(c));
  std::mt19937 rng(20261127);
  for (int run = 0; run < 40; ++run) {
    jar j;
    bool signed_in = false;
    for (int step = 0; step < 12; ++step) {
      SCOPED_TRACE(testing::Message() << "run " << run << " step " << step);
      switch (rng() % 6) {
        case 0:
          signed_in = sign_in(a, j).body.find("error=") == std::string::npos || signed_in;
          break;
        case 1: {
          const auto res = sign_in(a, j, "bob");
          EXPECT_NE(res.body.find("CredentialsSignin"), std::string::npos);
          break;
        }
        case 2: {
          const std::string token = csrf(a, j);
          const auto res =
              a.handle(post_form("/api/auth/signout", form({{"csrfToken", token}}), j.header()));
          EXPECT_EQ(res.status, 200);
          j.apply(res);
          signed_in = false;
          break;
        }
        case 3: {
          const std::string token = csrf(a, j);
          const std::size_t pad = (rng() % 3) * 4000;
          const auto res = a.handle(post_json(
              "/api/auth/session",
              json{{"csrfToken", token}, {"data", {{"pad", std::string(pad, 'p')}}}}, j.header()));
          EXPECT_EQ(res.status, 200);
          j.apply(res);
          break;
        }
        case 4:
          clock_.advance(std::chrono::hours(rng() % 48));
          break;
        default:
          a.handle(get("/api/auth/signin", j.header()));
          break;
      }
      const auto session = a.handle(get("/api/auth/session", j.header()));
      ASSERT_EQ(session.status, 200);
      j.apply(session);
      EXPECT_EQ(session.body != "null", signed_in) << session.body;
      // No stale chunk survives next to a different layout.
      const bool plain = j.has("authjs.session-token");
      const bool chunked = j.has("authjs.session-token.0");
      EXPECT_FALSE(plain && chunked);
    }
  }
}

}  // namespace
}  // namespace authpp::test
