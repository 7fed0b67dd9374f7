// Database sessions (session.strategy = database): the cookie holds an opaque token, the store
// holds the session. Wire shape as Auth.js's §10.2, and the attacks a server-side session stops
// that a JWT cannot: a cookie copied before sign-out, a disabled user's open sessions.
#include <authpp/adapters/memory_store.hpp>

#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "stored_user_fixture.hpp"

namespace authpp::test {
namespace {

namespace asio = boost::asio;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

class EngineDatabaseSessionTest : public StoredUserEngineTest {
 protected:
  // database_config signs alice in as the store's user, with database sessions.
  auth_config database_config() {
    auth_config c = stored_config();
    c.session.strategy = session_strategy::database;
    return c;
  }

  std::optional<adapters::session_record> row(const jar& j) {
    auto found = store_->session_and_user(j.value("authjs.session-token")).value();
    if (!found) return std::nullopt;
    return found->first;
  }
};

TEST_F(EngineDatabaseSessionTest, SignInStoresASessionAndTheCookieHoldsOnlyItsToken) {
  const auto a = build(database_config());
  jar j;
  const auto res = sign_in(a, j);
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/dashboard");
  const std::string token = j.value("authjs.session-token");
  EXPECT_EQ(token.size(), 36u) << "a random UUID, not a JWT: " << token;
  EXPECT_EQ(token[14], '4');
  const auto s = row(j);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_id, alice_id_);
  EXPECT_EQ(s->expires, clock_.now() + 30 * 24h);
  const auto cookie = session_set_cookies(res);
  ASSERT_EQ(cookie.size(), 1u);
  EXPECT_THAT(cookie[0], HasSubstr("Expires=Sun, 27 Dec 2026 03:39:03 GMT"));
  EXPECT_THAT(cookie[0], HasSubstr("HttpOnly"));
}

TEST_F(EngineDatabaseSessionTest, SessionIsReadFromTheStoreInAuthjsShape) {
  const auto a = build(database_config());
  jar j;
  sign_in(a, j);
  const auto res = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(res.status, 200);
  // As @auth/pg-adapter answers: absent columns are null.
  EXPECT_EQ(res.body, R"({"user":{"name":"Alice","email":"alice@example.com","image":null},)"
                      R"("expires":"2026-12-27T03:39:03.000Z"})");
  EXPECT_EQ(res.headers.get("Cache-Control"), "private, no-cache, no-store");
  EXPECT_EQ(session_set_cookies(res).size(), 1u);  // the cookie's expiry slides on every read
}

// POST /session (the client's update()) needs the CSRF token like any POST, and hands its data
// to the session callback; the row is not rewritten from it.
TEST_F(EngineDatabaseSessionTest, UpdateNeedsCsrfAndHandsDataToTheSessionCallback) {
  auth_config c = database_config();
  c.callbacks.session = [](const session_params& p) {
    json s = p.session;
    if (p.new_session) s["seen"] = *p.new_session;
    return s;
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  const auto before = row(j);
  const auto forged =
      a.handle(post_json("/api/auth/session", {{"data", {{"theme", "dark"}}}}, j.header()));
  EXPECT_EQ(forged.status, 400);
  EXPECT_EQ(forged.body, "null");
  const auto updated = a.handle(post_json(
      "/api/auth/session", {{"csrfToken", csrf(a, j)}, {"data", {{"theme", "dark"}}}}, j.header()));
  EXPECT_EQ(body_json(updated)["seen"], (json{{"theme", "dark"}}));
  EXPECT_EQ(row(j), before);
}

TEST_F(EngineDatabaseSessionTest, RowExpirySlidesOnlyOnceUpdateAgeHasPassed) {
  const auto a = build(database_config());
  jar j;
  sign_in(a, j);
  const auto first_expiry = row(j)->expires;
  clock_.advance(12h);  // under update_age (a day): nothing written
  a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(row(j)->expires, first_expiry);
  clock_.advance(36h);  // past it
  const auto res = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(row(j)->expires, clock_.now() + 30 * 24h);
  // The answer carries the expiry from before this read, as Auth.js's does.
  EXPECT_EQ(body_json(res)["expires"], "2026-12-27T03:39:03.000Z");
}

TEST_F(EngineDatabaseSessionTest, ExpiredSessionIsDeletedAndItsCookieCleared) {
  const auto a = build(database_config());
  jar j;
  sign_in(a, j);
  const std::string token = j.value("authjs.session-token");
  clock_.advance(30 * 24h + 1s);
  const auto res = a.handle(get("/api/auth/session", j.header()));
  EXPECT_EQ(res.body, "null");
  j.apply(res);
  EXPECT_FALSE(j.has("authjs.session-token"));
  EXPECT_EQ(store_->session_and_user(token).value(), std::nullopt);
}

// The attack a JWT session cannot stop: a cookie copied (malware, a shared computer) before the
// user signed out keeps working until it expires. A database session ends with its row.
TEST_F(EngineDatabaseSessionTest, CookieCopiedBeforeSignOutIsWorthlessAfterIt) {
  const auto a = build(database_config());
  jar j;
  sign_in(a, j);
  const std::string stolen = j.header();
  std::string session_seen;
  auth_config c = database_config();
  c.events.sign_out = [&session_seen](const sign_out_event& e) {
    if (e.session) session_seen = e.session->user_id;
  };
  const auto b = build(std::move(c));
  const auto out =
      b.handle(post_form("/api/auth/signout", form({{"csrfToken", csrf(b, j)}}), j.header()));
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(session_seen, alice_id_);  // the signOut event gets the deleted row
  EXPECT_EQ(a.handle(get("/api/auth/session", stolen)).body, "null");
}

// Revocation: disabling a user ends every session they have, at its next read.
TEST_F(EngineDatabaseSessionTest, DisabledUserLosesTheirSessionsAtOnce) {
  const auto a = build(database_config());
  jar laptop, phone;
  sign_in(a, laptop);
  sign_in(a, phone);
  ASSERT_TRUE(store_->set_disabled("alice@example.com", true));
  for (jar* j : {&laptop, &phone}) {
    const std::string token = j->value("authjs.session-token");
    const auto res = a.handle(get("/api/auth/session", j->header()));
    EXPECT_EQ(res.body, "null");
    EXPECT_EQ(store_->session_and_user(token).value(), std::nullopt);
  }
}

// A guessed or forged token finds no row: no session, and the cookie is dropped.
TEST_F(EngineDatabaseSessionTest, ForgedTokenFindsNoSession) {
  const auto a = build(database_config());
  for (const char* forged :
       {"authjs.session-token=2b1f0a7e-1d2c-4e5f-8a9b-0c1d2e3f4a5b", "authjs.session-token=x",
        "authjs.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..a.b.c"}) {
    SCOPED_TRACE(forged);
    const auto res = a.handle(get("/api/auth/session", forged));
    EXPECT_EQ(res.body, "null");
    EXPECT_THAT(session_set_cookies(res), ::testing::ElementsAre(HasSubstr("Max-Age=0")));
  }
}

// A store that cannot answer is not the user's fault: sign-in is 503 with Retry-After (not
// "wrong password"), and so is a session read (not "signed out"), which keeps the cookie for
// when the store is back.
TEST_F(EngineDatabaseSessionTest, StoreDownIsServiceUnavailableNotSignedOut) {
  faulty_->sessions_down = true;
  const auto a = build(database_config());
  jar j;
  const auto res = sign_in(a, j);
  EXPECT_EQ(res.status, 503);
  EXPECT_EQ(res.headers.get("Retry-After"), "5");
  EXPECT_FALSE(j.has("authjs.session-token"));
  const auto read = a.handle(
      get("/api/auth/session", "authjs.session-token=2b1f0a7e-1d2c-4e5f-8a9b-0c1d2e3f4a5b"));
  EXPECT_EQ(read.status, 503);
  EXPECT_EQ(read.headers.get("Retry-After"), "5");
  EXPECT_TRUE(session_set_cookies(read).empty());
  EXPECT_TRUE(logs_contain("ServiceUnavailable: storage unavailable"));
}

TEST_F(EngineDatabaseSessionTest, CallbacksSeeTheStoredUserAndNoJwt) {
  auth_config c = database_config();
  bool jwt_called = false;
  c.callbacks.jwt = [&jwt_called](const jwt_params& p) -> std::optional<json> {
    jwt_called = true;
    return p.token;
  };
  c.callbacks.session = [](const session_params& p) {
    json s = p.session;
    s["user"]["id"] = p.user ? json(p.user->id) : json(nullptr);
    return s;
  };
  const auto a = build(std::move(c));
  jar j;
  sign_in(a, j);
  EXPECT_EQ(body_json(a.handle(get("/api/auth/session", j.header())))["user"]["id"], alice_id_);
  EXPECT_FALSE(jwt_called);
}

// A user the store does not know cannot get a session row: a clear log, no half sign-in.
TEST_F(EngineDatabaseSessionTest, SignInOfAUserOutsideTheStoreIsAConfigurationError) {
  auth_config c = database_config();
  std::get<credentials_provider>(c.providers.front()).authorize = [](const authorize_request&) {
    return authorize_result::accept(
        {.id = "not-in-the-store", .name = {}, .email = {}, .image = {}, .extra = {}});
  };
  const auto a = build(std::move(c));
  jar j;
  const auto res = sign_in(a, j);
  EXPECT_EQ(body_json(res)["url"], "http://localhost:3000/api/auth/error?error=Configuration");
  EXPECT_FALSE(j.has("authjs.session-token"));
  EXPECT_TRUE(logs_contain("the signed-in user is not in the session store"));
}

TEST_F(EngineDatabaseSessionTest, DatabaseStrategyWithoutAnAdapterIsRefused) {
  auth_config c = database_config();
  c.adapter = nullptr;
  auto made = authpp::auth::create(std::move(c));
  ASSERT_FALSE(made);
  EXPECT_THAT(made.error().detail,
              HasSubstr("adapter: session.strategy = database needs an adapter"));
}

// handle_async runs every store call through run_blocking (the server's worker pool), and a pool
// that cannot take the work answers 503 at once.
TEST_F(EngineDatabaseSessionTest, AsyncPathRunsStoreCallsThroughRunBlocking) {
  int ran = 0;
  bool full = false;
  auth_config c = database_config();
  c.run_blocking = [&ran, &full](std::function<void()> work) -> asio::awaitable<result<void>> {
    if (full) co_return auth_error{errc::overloaded, "worker queue full"};
    ++ran;
    work();
    co_return result<void>{};
  };
  const auto a = build(std::move(c));
  asio::io_context io;
  const auto run = [&](http::request req) { return run_async(io, a, std::move(req)); };
  jar j;
  const std::string token = csrf(a, j);
  const auto signed_in = run(post_form(
      "/api/auth/callback/credentials",
      form({{"username", "alice"}, {"password", "wonderland"}, {"csrfToken", token}}), j.header()));
  j.apply(signed_in);
  EXPECT_EQ(ran, 1);
  EXPECT_TRUE(a.awaits(get("/api/auth/session")));
  const auto read = run(get("/api/auth/session", j.header()));
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(read.body, a.handle(get("/api/auth/session", j.header())).body);
  full = true;
  const auto refused = run(get("/api/auth/session", j.header()));
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.headers.get("Retry-After"), "5");
}

// authpp serve ties the signIn event to the thread that answers the request (its sign-in
// metric), while run_blocking runs the store's steps on a worker thread: events must wait for the
// answer. Here run_blocking runs each step on a thread of its own.
TEST_F(EngineDatabaseSessionTest, EventsFireOnTheAnsweringThreadNotTheWorkers) {
  std::vector<std::string> fired;
  const auto here = std::this_thread::get_id();
  auth_config c = database_config();
  c.run_blocking = [](std::function<void()> work) -> asio::awaitable<result<void>> {
    std::thread worker(std::move(work));
    worker.join();
    co_return result<void>{};
  };
  const auto record = [&fired, here](std::string name) {
    fired.push_back(std::move(name) + (std::this_thread::get_id() == here ? "" : " elsewhere"));
  };
  c.events.sign_in = [&record](const sign_in_event& e) { record("signIn " + *e.user.id); };
  c.events.session = [&record](const session_event& e) {
    record("session " + e.session["user"]["email"].get<std::string>());
  };
  c.events.sign_out = [&record](const sign_out_event& e) {
    record("signOut " + (e.session ? e.session->user_id : std::string("-")));
  };
  const auto a = build(std::move(c));
  asio::io_context io;
  const auto run = [&](http::request req) { return run_async(io, a, std::move(req)); };
  jar j;
  const std::string token = csrf(a, j);
  j.apply(
      run(post_form("/api/auth/callback/credentials",
                    form({{"username", "alice"}, {"password", "wonderland"}, {"csrfToken", token}}),
                    j.header())));
  run(get("/api/auth/session", j.header()));
  run(post_form("/api/auth/signout", form({{"csrfToken", token}}), j.header()));
  EXPECT_EQ(fired, (std::vector<std::string>{"signIn " + alice_id_, "session alice@example.com",
                                             "signOut " + alice_id_}));
}

}  // namespace
}  // namespace authpp::test
