#include <authpp/auth/auth.hpp>
#include <authpp/core/base64url.hpp>
#include <authpp/core/json.hpp>
#include <authpp/core/random.hpp>
#include <authpp/mfa/totp.hpp>
#include <authpp/pages/pages.hpp>
#include <authpp/server/config.hpp>
#include <authpp/server/email.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support/test_support.hpp"
#include "unit/adapters/temp_dir.hpp"

namespace authpp::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* secret = "0123456789abcdef0123456789abcdef0123456789a";

class ConfigTest : public ::testing::Test {
 protected:
  test::temp_dir dir_;
  environment env_{{"AUTH_SECRET", secret}};

  // write puts `text` in `<dir>/<name>` and returns its path.
  std::string write(const std::string& text, const std::string& name = "authpp.toml") {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
  result<app_config> load(const std::string& text, const load_options& options = {}) {
    return load_config(write(text), env_, options);
  }
  // error_text loads `text` and returns the error message, or "(loaded)".
  std::string error_text(const std::string& text, const load_options& options = {}) {
    auto c = load(text, options);
    if (c) return "(loaded)";
    EXPECT_EQ(c.error().code, errc::invalid_config);
    return c.error().detail;
  }
  std::string path(const std::string& name = "authpp.toml") const {
    return (dir_.path() / name).string();
  }
};

TEST_F(ConfigTest, EmptyFileGivesTheDocumentedDefaults) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->dev);
  EXPECT_EQ(c->server.host, "127.0.0.1");
  EXPECT_EQ(c->server.port, 3000);
  EXPECT_EQ(c->server.threads, 0u);
  EXPECT_EQ(c->server.max_header_bytes, 16384u);
  EXPECT_EQ(c->server.max_body_bytes, 65536u);
  EXPECT_EQ(c->server.max_connections, 10000u);
  EXPECT_EQ(c->server.read_timeout, std::chrono::seconds(10));
  EXPECT_FALSE(c->server.tls);
  EXPECT_EQ(c->auth.base_path, "/api/auth");
  EXPECT_EQ(c->auth.secrets, std::vector<std::string>{secret});
  EXPECT_FALSE(c->auth.url);
  EXPECT_EQ(c->auth.session.max_age, std::chrono::seconds(2592000));
  EXPECT_EQ(c->storage.data_dir, "./var");
  EXPECT_EQ(c->storage.database, "./var/authpp.db");
  EXPECT_EQ(c->log.level, "info");
  EXPECT_TRUE(c->log.access_log);
}

TEST_F(ConfigTest, NoFileReadsTheEnvironmentOnly) {
  auto c = load_config(std::nullopt, env_);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.secrets, std::vector<std::string>{secret});
  EXPECT_EQ(c->storage.database, "./var/authpp.db");
  EXPECT_FALSE(c->auth.totp.enabled);
  EXPECT_EQ(c->auth.totp.issuer, "authpp");
}

TEST_F(ConfigTest, ReadsEveryKey) {
  write("cert", "cert.pem");
  write("key", "key.pem");
  auto c = load(R"(dev = true
[server]
listen = "[::1]:8443"
threads = 4
max_header_bytes = 8192
max_body_bytes = 1024
max_connections = 5
read_timeout = 3
idle_timeout = 4
shutdown_timeout = 5
[server.tls]
certificate = ")" +
                path("cert.pem") +
                R"("
private_key = ")" +
                path("key.pem") +
                R"("
[auth]
url = "https://example.com/api/auth"
trust_host = true
base_path = "/auth"
secrets = ["new", "old"]
session_max_age = 3600
[auth.theme]
color_scheme = "dark"
brand_color = "#336699"
logo = "https://example.com/logo.png"
button_text = "white"
[storage]
data_dir = "/srv/authpp"
[log]
level = "debug"
access_log = false
)");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->dev);
  EXPECT_EQ(c->server.host, "::1");
  EXPECT_EQ(c->server.port, 8443);
  EXPECT_EQ(c->server.threads, 4u);
  EXPECT_EQ(c->server.max_header_bytes, 8192u);
  EXPECT_EQ(c->server.max_body_bytes, 1024u);
  EXPECT_EQ(c->server.max_connections, 5u);
  EXPECT_EQ(c->server.read_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c->server.idle_timeout, std::chrono::seconds(4));
  EXPECT_EQ(c->server.shutdown_timeout, std::chrono::seconds(5));
  ASSERT_TRUE(c->server.tls);
  EXPECT_EQ(c->server.tls->certificate_file, path("cert.pem"));
  EXPECT_EQ(c->server.tls->private_key_file, path("key.pem"));
  EXPECT_EQ(c->auth.url, "https://example.com/api/auth");
  EXPECT_TRUE(c->auth.trust_host);
  EXPECT_EQ(c->auth.base_path, "/auth");
  EXPECT_EQ(c->auth.secrets, (std::vector<std::string>{"new", "old"}));
  EXPECT_EQ(c->auth.session.max_age, std::chrono::seconds(3600));
  EXPECT_EQ(c->auth.theme.color_scheme, "dark");
  EXPECT_EQ(c->auth.theme.brand_color, "#336699");
  EXPECT_EQ(c->auth.theme.logo, "https://example.com/logo.png");
  EXPECT_EQ(c->auth.theme.button_text, "white");
  EXPECT_EQ(c->storage.data_dir, "/srv/authpp");
  EXPECT_EQ(c->storage.database, "/srv/authpp/authpp.db");  // follows data_dir
  EXPECT_EQ(c->log.level, "debug");
  EXPECT_FALSE(c->log.access_log);
}

TEST_F(ConfigTest, TheDocumentedExampleLoads) {
  auto c = load_config(std::string(AUTHPP_EXAMPLE_CONFIG), env_);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->server.port, 3000);
  EXPECT_EQ(c->storage.database, "./var/authpp.db");
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  EXPECT_EQ(error_text("[server]\nthreads = 1\nlisen = \"127.0.0.1:3000\"\n"),
            path() + ":3: server.lisen: unknown key");
  EXPECT_EQ(error_text("\n\n\ncolour = 1\n"), path() + ":4: colour: unknown key");
}

TEST_F(ConfigTest, UnknownTableIsAnError) {
  EXPECT_EQ(error_text("[databse]\nurl = \"x\"\n"), path() + ":1: databse: unknown table");
  EXPECT_EQ(error_text("[auth.themes]\n"), path() + ":1: auth.themes: unknown table");
}

TEST_F(ConfigTest, WrongTypeNamesExpectedTypeAndLine) {
  EXPECT_EQ(error_text("[server]\nthreads = \"4\"\n"),
            path() + ":2: server.threads: expected an integer in 0..1024, found a string");
  EXPECT_EQ(error_text("dev = \"yes\"\n"),
            path() + ":1: dev: expected a boolean (true or false), found a string");
  EXPECT_EQ(error_text("[auth]\nsecrets = \"abc\"\n"),
            path() + ":2: auth.secrets: expected an array of strings, found a string");
  EXPECT_EQ(error_text("[auth]\nsecrets = [\"a\", 1]\n"),
            path() + ":2: auth.secrets: expected an array of strings, found an integer");
  EXPECT_EQ(error_text("[server]\nread_timeout = 1.5\n"),
            path() + ":2: server.read_timeout: expected an integer in 1..86400, found a float");
  EXPECT_EQ(error_text("server = 1\n"), path() + ":1: server: expected a table, found an integer");
  EXPECT_EQ(error_text("[log]\nlevel = 3\n"),
            path() + ":2: log.level: expected a string, found an integer");
}

TEST_F(ConfigTest, OutOfRangeNumbersAreErrors) {
  EXPECT_EQ(error_text("[server]\nlisten = \"127.0.0.1:65536\"\n"),
            path() + ":2: server.listen: port must be in 0..65535");
  EXPECT_EQ(error_text("[server]\nmax_body_bytes = 0\n"),
            path() + ":2: server.max_body_bytes: expected an integer in 1..1073741824, got 0");
  EXPECT_EQ(error_text("[server]\nmax_connections = -1\n"),
            path() + ":2: server.max_connections: expected an integer in 1..1000000, got -1");
  EXPECT_EQ(error_text("[server]\nidle_timeout = 0\n"),
            path() + ":2: server.idle_timeout: expected an integer in 1..86400, got 0");
}

TEST_F(ConfigTest, BadValuesAreErrors) {
  EXPECT_EQ(error_text("[auth]\nurl = \"example.com\"\n"),
            path() + ":2: auth.url: expected an absolute http(s) URL, e.g. https://example.com");
  EXPECT_EQ(error_text("[auth]\nurl = \"ftp://example.com\"\n").find(":2: auth.url: "),
            path().size());
  EXPECT_EQ(error_text("[auth]\nbase_path = \"/api/auth/\"\n").find(":2: auth.base_path: "),
            path().size());
  EXPECT_EQ(error_text("[auth]\nsecrets = [\"\"]\n"),
            path() + ":2: auth.secrets: a secret must not be empty");
  EXPECT_EQ(error_text("[log]\nlevel = \"verbose\"\n").find(":2: log.level: "), path().size());
  EXPECT_EQ(
      error_text("[auth.theme]\ncolor_scheme = \"blue\"\n").find(":2: auth.theme.color_scheme: "),
      path().size());
  EXPECT_EQ(
      error_text("[auth.theme]\nbrand_color = \"red;}\"\n").find(":2: auth.theme.brand_color: "),
      path().size());
  EXPECT_EQ(error_text("[auth.theme]\nlogo = \"http://example.com/x.png\"\n"),
            path() + ":2: auth.theme.logo: expected an absolute https URL");
  EXPECT_EQ(error_text("[storage]\ndata_dir = \"\"\n"),
            path() + ":2: storage.data_dir: must not be empty");
}

// One rule, one function: the loader and auth::create used to check base paths each their own
// way, and "/a//b" or "/api auth" passed one and failed the other.
TEST_F(ConfigTest, TheLoaderAndTheEngineApplyOneBasePathRule) {
  for (const std::string path : {"/api/auth", "/a~b._-c/d", "/auth", "/api/auth/", "/a//b",
                                 "/api auth", "/api%20auth", "/api?x", "api/auth", "/", ""}) {
    auth_config c;
    c.secrets = {"a-secret"};
    c.base_path = path;
    const bool engine_accepts = authpp::auth::create(std::move(c)).has_value();
    const bool loader_accepts = load("[auth]\nbase_path = \"" + path + "\"\n").has_value();
    EXPECT_EQ(engine_accepts, loader_accepts) << path;
    EXPECT_EQ(engine_accepts, !base_path_problem(path)) << path;
  }
  EXPECT_FALSE(base_path_problem("/api/auth"));
  EXPECT_TRUE(base_path_problem("/a//b"));
  EXPECT_TRUE(base_path_problem("/api auth"));
}

// Attack: without trusted proxies anyone could name the URL forward-auth judges; the loader
// refuses the combination instead of serving it.
TEST_F(ConfigTest, ForwardAuthNeedsTrustedProxies) {
  EXPECT_EQ(error_text("[forward_auth]\nenabled = true\n"),
            path() +
                ":1: forward_auth.enabled: needs server.trusted_proxies: only a trusted "
                "proxy may name the URL it asks about");
  const auto c = load(
      "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n[forward_auth]\nenabled = true\n"
      "allowed_hosts = [\"*.example.com\"]\nemails = [\"ada@example.com\"]\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->forward_auth.enabled);
  EXPECT_EQ(c->forward_auth.allowed_hosts, std::vector<std::string>{"*.example.com"});
  EXPECT_EQ(c->forward_auth.emails, std::vector<std::string>{"ada@example.com"});
  EXPECT_NE(error_text("[forward_auth]\nallowed_hosts = [\"https://x\"]\n")
                .find("forward_auth.allowed_hosts: expected a host"),
            std::string::npos);
}

TEST_F(ConfigTest, ForwardAuthPublicPathsAndGroups) {
  const auto c = load(
      "[forward_auth]\npublic_paths = [\"/healthz\", \"/static/*\"]\n"
      "[forward_auth.groups]\nadmins = [\"ada@example.com\"]\nstaff = [\"@example.com\"]\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->forward_auth.public_paths, (std::vector<std::string>{"/healthz", "/static/*"}));
  EXPECT_EQ(c->forward_auth.groups.at("admins"), std::vector<std::string>{"ada@example.com"});
  EXPECT_EQ(c->forward_auth.groups.at("staff"), std::vector<std::string>{"@example.com"});
  for (const char* path : {"healthz", "/static*", "/a?b", "/*/x"}) {
    EXPECT_THAT(error_text("[forward_auth]\npublic_paths = [\"" + std::string(path) + "\"]\n"),
                HasSubstr(":2: forward_auth.public_paths: expected paths like"))
        << path;
  }
  EXPECT_THAT(error_text("[forward_auth.groups]\nadmins = [\"ada\"]\n"),
              HasSubstr(":2: forward_auth.groups.admins: expected addresses like"));
  EXPECT_THAT(error_text("[forward_auth.groups]\nadmins = \"ada@example.com\"\n"),
              HasSubstr("forward_auth.groups.admins"));
}

TEST_F(ConfigTest, RedirectHostsAreHostPatterns) {
  const auto c = load("[auth]\nredirect_hosts = [\"*.example.com\", \"app.example.org\"]\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.redirect_hosts, (std::vector<std::string>{"*.example.com", "app.example.org"}));
  EXPECT_THAT(error_text("[auth]\nredirect_hosts = [\"https://app.example.org\"]\n"),
              HasSubstr(":2: auth.redirect_hosts: expected a host"));
}

// A colour the pages would silently drop (a 33-letter name) is refused by the loader, since both
// use pages::is_css_color.
TEST_F(ConfigTest, AColourThePagesWouldDropIsRefused) {
  const std::string long_name(33, 'a');
  EXPECT_FALSE(pages::is_css_color(long_name));
  EXPECT_FALSE(load("[auth.theme]\nbrand_color = \"" + long_name + "\"\n"));
  EXPECT_TRUE(pages::is_css_color("rebeccapurple"));
  EXPECT_TRUE(load("[auth.theme]\nbrand_color = \"rebeccapurple\"\n"));
}

TEST_F(ConfigTest, FirstErrorInTheFileIsReported) {
  // Keys are visited in layout order, not file order; the message must still be the first line.
  EXPECT_EQ(error_text("[log]\nlevel = 1\n[auth]\nbogus = 1\n[server]\nthreads = -1\n"),
            path() + ":2: log.level: expected a string, found an integer");
}

TEST_F(ConfigTest, SyntaxErrorGivesLineColumnAndDescription) {
  const std::string text = error_text("[server]\nlisten = \"127.0.0.1:3000\nthreads = 1\n");
  EXPECT_EQ(text.rfind(path() + ":2:", 0), 0u) << text;
  // file:line:col: description
  const std::string rest = text.substr(path().size() + 3);
  const auto colon = rest.find(':');
  ASSERT_NE(colon, std::string::npos) << text;
  EXPECT_GT(std::stoi(rest.substr(0, colon)), 0) << text;
  EXPECT_GT(rest.size(), colon + 3) << text;
  EXPECT_EQ(error_text("[server]\nthreads = 1\nthreads = 2\n").rfind(path() + ":3:", 0), 0u);
}

TEST_F(ConfigTest, UnreadableFileSaysSoWithPathAndReason) {
  const std::string missing = path("missing.toml");
  auto c = load_config(missing, env_);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, errc::invalid_config);
  EXPECT_EQ(c.error().detail, "cannot read " + missing + ": No such file or directory");

  auto d = load_config(dir_.path().string(), env_);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().detail, "cannot read " + dir_.path().string() + ": Is a directory");
}

TEST_F(ConfigTest, TlsNeedsBothFilesReadable) {
  write("cert", "cert.pem");
  EXPECT_EQ(error_text("[server.tls]\ncertificate = \"" + path("cert.pem") + "\"\n"),
            path() + ":1: server.tls: certificate and private_key are both required");
  EXPECT_EQ(error_text("[server.tls]\ncertificate = \"" + path("cert.pem") +
                       "\"\nprivate_key = \"" + path("nokey.pem") + "\"\n"),
            path() + ":3: server.tls.private_key: cannot read " + path("nokey.pem") +
                ": No such file or directory");
}

TEST_F(ConfigTest, MissingSecretIsAnErrorOutsideDevMode) {
  env_.clear();
  EXPECT_EQ(error_text(""),
            "auth.secrets: no secret configured; set AUTH_SECRET or auth.secrets (or run with "
            "--dev)");
  auto dev = load("dev = true\n");
  ASSERT_TRUE(dev) << dev.error().message();
  EXPECT_TRUE(dev->auth.secrets.empty());
  EXPECT_TRUE(load("", {.dev = true}));
  EXPECT_TRUE(load("", {.require_secret = false}));
  EXPECT_TRUE(load("[auth]\nsecrets = [\"s\"]\n"));
}

TEST_F(ConfigTest, EnvironmentSecretsAreNewestFirstAndSkipUnset) {
  env_ = {{"AUTH_SECRET", "s0"},
          {"AUTH_SECRET_1", "s1"},
          {"AUTH_SECRET_3", "s3"},
          {"AUTH_SECRET_2", ""}};
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.secrets, (std::vector<std::string>{"s3", "s1", "s0"}));

  env_ = {{"AUTH_SECRET_2", "s2"}};
  c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.secrets, std::vector<std::string>{"s2"});
}

TEST_F(ConfigTest, FileSecretsWinOverEnvironment) {
  env_ = {{"AUTH_SECRET", "env"}, {"AUTH_SECRET_1", "env1"}};
  auto c = load("[auth]\nsecrets = [\"file\"]\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.secrets, std::vector<std::string>{"file"});
  // An empty list counts as none, as Auth.js' `!config.secret?.length`.
  c = load("[auth]\nsecrets = []\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.secrets, (std::vector<std::string>{"env1", "env"}));
}

TEST_F(ConfigTest, AuthUrlFromEnvironmentOnlyWhenFileHasNone) {
  env_["AUTH_URL"] = "https://env.example.com";
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.url, "https://env.example.com");
  c = load("[auth]\nurl = \"https://file.example.com\"\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.url, "https://file.example.com");

  env_["AUTH_URL"] = "not a url";
  EXPECT_EQ(error_text(""), "AUTH_URL: expected an absolute http(s) URL, e.g. https://example.com");
}

TEST_F(ConfigTest, PostgresFromDatabaseTableEnvironmentOrFlag) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->database.url, "") << "SQLite unless told";
  EXPECT_EQ(c->database.pool_size, 8u);
  EXPECT_EQ(c->database.statement_timeout, std::chrono::milliseconds(5000));

  c = load(
      "[database]\nurl = \"postgresql://db.internal/auth\"\npool_size = 20\n"
      "statement_timeout_ms = 1500\npool_wait_ms = 250\nconnect_timeout_ms = 3000\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->database.url, "postgresql://db.internal/auth");
  EXPECT_EQ(c->database.pool_size, 20u);
  EXPECT_EQ(c->database.statement_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c->database.pool_wait, std::chrono::milliseconds(250));
  EXPECT_EQ(c->database.connect_timeout, std::chrono::milliseconds(3000));

  // DATABASE_URL where the file names none; the file's wins.
  env_["DATABASE_URL"] = "postgres://env.internal/auth";
  c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->database.url, "postgres://env.internal/auth");
  c = load("[database]\nurl = \"postgresql://file.internal/auth\"\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->database.url, "postgresql://file.internal/auth");

  // --database takes either; a SQLite path on the command line wins over any url.
  c = load("", {.database = "postgresql://flag.internal/auth"});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->database.url, "postgresql://flag.internal/auth");
  c = load("", {.database = "/srv/authpp.db"});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->database.url, "");
  EXPECT_EQ(c->storage.database, "/srv/authpp.db");
}

TEST_F(ConfigTest, BadDatabaseSettingsAreErrors) {
  EXPECT_THAT(error_text("[database]\nurl = \"\"\n"), HasSubstr("database.url: must not be empty"));
  EXPECT_THAT(error_text("[database]\npool_size = 0\n"), HasSubstr("database.pool_size"));
  EXPECT_THAT(error_text("[database]\nstatement_timeout_ms = 1\n"),
              HasSubstr("database.statement_timeout_ms"));
  EXPECT_THAT(error_text("[database]\npasword = \"x\"\n"), HasSubstr("database.pasword"));
}

TEST_F(ConfigTest, AuthTrustHostAnyNonEmptyValueTrusts) {
  // Auth.js: `trustHost ||= !!AUTH_TRUST_HOST`, and !!"false" is true.
  for (const char* value : {"true", "false", "0", "1"}) {
    SCOPED_TRACE(value);
    env_["AUTH_TRUST_HOST"] = value;
    auto c = load("[auth]\ntrust_host = false\n");
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_TRUE(c->auth.trust_host);
  }
  env_["AUTH_TRUST_HOST"] = "";
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->auth.trust_host);
}

TEST_F(ConfigTest, FlagsWin) {
  auto c = load("[server]\nlisten = \"127.0.0.1:3000\"\n[storage]\ndatabase = \"a.db\"\n",
                {.listen = "0.0.0.0:8080", .database = "b.db"});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->server.host, "0.0.0.0");
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->storage.database, "b.db");
  c = load("", {.data_dir = "/srv/a"});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->storage.data_dir, "/srv/a");
  EXPECT_EQ(c->storage.database, "/srv/a/authpp.db");
  // A database the file names stays, whatever the data directory.
  c = load("[storage]\ndatabase = \"a.db\"\n", {.data_dir = "/srv/a"});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->storage.database, "a.db");
  EXPECT_EQ(error_text("", {.listen = "localhost"}),
            "--listen: expected host:port, e.g. 127.0.0.1:3000");
  // A name was accepted here and then failed to bind: now refused, saying what to write instead.
  EXPECT_EQ(error_text("", {.listen = "example.com:3000"}),
            "--listen: 'example.com' is a host name; listen on an IP address: 127.0.0.1 (this "
            "machine only), 0.0.0.0 (every IPv4 interface) or [::1]");
  c = load("", {.listen = "localhost:3001"});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->server.host, "127.0.0.1");
}

TEST(ParseListenTest, AcceptsTheDocumentedForms) {
  using hp = std::pair<std::string, std::uint16_t>;
  EXPECT_EQ(parse_listen("127.0.0.1:3000").value(), hp("127.0.0.1", 3000));
  EXPECT_EQ(parse_listen("[::1]:8080").value(), hp("::1", 8080));
  EXPECT_EQ(parse_listen(":3000").value(), hp("0.0.0.0", 3000));
  EXPECT_EQ(parse_listen("localhost:65535").value(), hp("127.0.0.1", 65535));
  EXPECT_EQ(parse_listen("LocalHost:1").value(), hp("127.0.0.1", 1));
  EXPECT_EQ(parse_listen("0.0.0.0:1").value(), hp("0.0.0.0", 1));
}

TEST(ParseListenTest, RejectsEverythingElse) {
  for (const char* bad :
       {"", "3000", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:+80", "127.0.0.1:80x",
        "127.0.0.1:000080", "::1:3000", "[::1:3000", "[]:3000", "[nothost]:3000", "300.1.1.1:80",
        "bad_host:80", "a b:80", "example.com:80", "localhost.:80", "1.2.3:80"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(test::error_of(parse_listen(bad)), errc::malformed_input);
  }
}

// Session forgery by guessing: a short or low-entropy AUTH_SECRET was accepted silently.
TEST(SecretStrengthTest, WeakSecretsAreNamedAndStrongOnesPass) {
  EXPECT_EQ(secret_weakness("s3cret").value_or(""), "6 characters, fewer than 32");
  EXPECT_EQ(secret_weakness(std::string(40, 'a')).value_or(""),
            "it repeats a text of 1 characters");
  EXPECT_EQ(secret_weakness("0123456789abcdef0123456789abcdef").value_or(""),
            "it repeats a text of 16 characters");
  EXPECT_THAT(secret_weakness("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab").value_or(""),
              HasSubstr("bits of entropy, under 80"));
  EXPECT_THAT(secret_weakness("abababababababababababababababababababac").value_or(""),
              HasSubstr("bits of entropy"));
  for (const char* strong :
       {"Ds0H7w6f6p1aVhrXk3tq2M0b9Y7wq6Tqf0hY2cR9f1E",                       // authpp secret
        "3f9c1b7e0a5d4c2b8e6f1a9d7c3b5e0f2a4d6c8b1e3f5a7c9d0b2e4f6a8c1d3e",  // hex
        "correct horse battery staple and more words"}) {
    SCOPED_TRACE(strong);
    EXPECT_EQ(secret_weakness(strong), std::nullopt);
  }
  // Random 32-byte secrets as `authpp secret` prints them never trip the estimate.
  for (int i = 0; i < 200; ++i) {
    const std::string s = base64url::encode(random_bytes(default_random(), 32).value());
    ASSERT_EQ(secret_weakness(s), std::nullopt) << s;
  }
}

TEST(SecretStrengthTest, RefusedInProductionAndAWarningInDevMode) {
  app_config c;
  c.auth.secrets = {"Ds0H7w6f6p1aVhrXk3tq2M0b9Y7wq6Tqf0hY2cR9f1E", "old-secret"};
  auto r = check_secrets(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, errc::invalid_config);
  EXPECT_EQ(r.error().detail,
            "auth.secrets: secret 2 of 2 is weak (10 characters, fewer than 32); use 32 random "
            "bytes, e.g. the output of `authpp secret`");
  c.dev = true;
  r = check_secrets(c);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);
  EXPECT_THAT(r->front(), HasSubstr("secret 2 of 2 is weak"));
  EXPECT_THAT(r->front(), Not(HasSubstr("old-secret")));
}

TEST(CurrentEnvironmentTest, ReadsTheProcessEnvironment) {
  ASSERT_EQ(::setenv("AUTHPP_CONFIG_TEST", "a=b", 1), 0);
  const environment env = current_environment();
  ASSERT_EQ(env.count("AUTHPP_CONFIG_TEST"), 1u);
  EXPECT_EQ(env.at("AUTHPP_CONFIG_TEST"), "a=b");
  ::unsetenv("AUTHPP_CONFIG_TEST");
}

TEST_F(ConfigTest, ProvidersTablesAreRead) {
  auto c = load(R"(
[[providers]]
type = "github"
client_id = "gh-id"
client_secret = "gh-secret"

[[providers]]
type = "oidc"
id = "corp"
name = "Corp SSO"
issuer = "https://sso.example.com/realms/corp"
client_id = "authpp"
client_secret = "s3"
scope = "openid email"
checks = ["pkce", "state", "nonce"]
authorization_params = { prompt = "login", acr_values = "mfa" }
)");
  ASSERT_TRUE(c) << c.error().message();
  ASSERT_EQ(c->providers.size(), 2u);
  EXPECT_EQ(c->providers[0].type, "github");
  EXPECT_EQ(c->providers[0].id, "github");  // the type names the provider by default
  EXPECT_EQ(c->providers[0].client_secret, "gh-secret");
  const provider_settings& corp = c->providers[1];
  EXPECT_EQ(corp.id, "corp");
  EXPECT_EQ(corp.name, "Corp SSO");
  EXPECT_EQ(corp.issuer, "https://sso.example.com/realms/corp");
  EXPECT_EQ(corp.scope, "openid email");
  EXPECT_EQ(corp.checks, (std::vector<std::string>{"pkce", "state", "nonce"}));
  // In the file's order (toml++ sorts a table's keys).
  EXPECT_EQ(corp.authorization_params, (std::vector<std::pair<std::string, std::string>>{
                                           {"prompt", "login"}, {"acr_values", "mfa"}}));
}

TEST_F(ConfigTest, ProviderSecretsComeFromAuthjsEnvironmentNames) {
  env_["AUTH_GITHUB_ID"] = "env-id";
  env_["AUTH_GITHUB_SECRET"] = "env-secret";
  env_["AUTH_MY_IDP_ISSUER"] = "https://idp.example.com";
  env_["AUTH_MY_IDP_SECRET"] = "idp-secret";
  auto c = load(R"(
[[providers]]
type = "github"

[[providers]]
type = "oidc"
id = "my-idp"
client_id = "file-id"

[[providers]]
type = "google"
client_id = "g"
client_secret = "from-file"
)");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->providers[0].client_id, "env-id");
  EXPECT_EQ(c->providers[0].client_secret, "env-secret");
  EXPECT_EQ(c->providers[1].issuer, "https://idp.example.com");  // AUTH_MY_IDP_*: '-' as '_'
  EXPECT_EQ(c->providers[1].client_id, "file-id");
  EXPECT_EQ(c->providers[1].client_secret, "idp-secret");
  EXPECT_EQ(c->providers[2].client_secret, "from-file");  // a file secret is left alone
}

// Every preset of authpp::providers is a type, and names the provider by default, as Auth.js's
// ids do.
TEST_F(ConfigTest, PresetTypesAreKnown) {
  for (const std::string_view type : {"oidc", "oauth", "github", "google", "gitlab", "discord",
                                      "keycloak", "auth0", "okta", "microsoft-entra-id", "apple"}) {
    SCOPED_TRACE(type);
    auto c = load("[[providers]]\ntype = \"" + std::string(type) + "\"\n");
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->providers[0].id, type);
  }
  EXPECT_THAT(error_text("[[providers]]\ntype = \"twitter\"\n"),
              HasSubstr("providers[0].type: unknown type \"twitter\"; expected oidc, oauth, "
                        "github, google, gitlab, discord, keycloak, auth0, okta, "
                        "microsoft-entra-id or apple"));
}

// Apple's client secret is a JWT that expires within six months: a value that cannot work is a
// configuration error at start-up, not an invalid_client at every sign-in.
TEST_F(ConfigTest, AppleSecretMustBeAnUnexpiredJwt) {
  const auto apple = [](std::string_view jwt) {
    return "[[providers]]\ntype = \"apple\"\nclient_id = \"com.example.web\"\nclient_secret = \"" +
           std::string(jwt) + "\"\n";
  };
  EXPECT_THAT(error_text(apple("a-plain-password")),
              HasSubstr("providers[0].client_secret: Apple's client secret is a JWT signed with "
                        "your key: make one with `authpp apple-secret`"));
  // {"alg":"ES256"}.{"exp":1}.sig: expired in 1970.
  EXPECT_THAT(error_text(apple("eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjF9.c2ln")),
              HasSubstr("providers[0].client_secret: Apple's client secret has expired"));
  // The secret named by AUTH_APPLE_SECRET is checked the same way.
  env_["AUTH_APPLE_SECRET"] = "not-a-jwt";
  EXPECT_THAT(error_text("[[providers]]\ntype = \"apple\"\nclient_id = \"com.example.web\"\n"),
              HasSubstr("providers[0].client_secret: Apple's client secret is a JWT"));
  // {"alg":"ES256"}.{"exp":4102444800}.sig: valid until 2100.
  auto c = load(apple("eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln"));
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->providers[0].client_secret, "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2ln");
}

TEST_F(ConfigTest, SessionStrategyIsJwtOrDatabase) {
  auto c = load("[auth]\nsession_strategy = \"database\"\nsession_update_age = 0\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.session.strategy, session_strategy::database);
  EXPECT_EQ(c->auth.session.update_age, std::chrono::seconds(0));  // every read, as Auth.js
  auto d = load("[auth]\nsession_strategy = \"jwt\"\n");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->auth.session.strategy, session_strategy::jwt);
  EXPECT_THAT(error_text("[auth]\nsession_strategy = \"cookie\"\n"),
              HasSubstr("authpp.toml:2: auth.session_strategy: expected \"jwt\" or \"database\""));
  EXPECT_THAT(error_text("[auth]\nsession_update_age = -1\n"),
              HasSubstr("auth.session_update_age"));
}

TEST_F(ConfigTest, JwtRevocationBoundIsSecondsOrFalse) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.session.jwt_revocation_bound, std::chrono::seconds(60));
  c = load("[auth]\njwt_revocation_bound = 0\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.session.jwt_revocation_bound, std::chrono::seconds(0));  // every read
  c = load("[auth]\njwt_revocation_bound = false\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.session.jwt_revocation_bound, std::nullopt);
  EXPECT_THAT(error_text("[auth]\njwt_revocation_bound = true\n"),
              HasSubstr("auth.jwt_revocation_bound: expected seconds, or false for never"));
  EXPECT_THAT(error_text("[auth]\njwt_revocation_bound = -5\n"),
              HasSubstr("auth.jwt_revocation_bound"));
  EXPECT_THAT(error_text("[auth]\njwt_revocation_bound = \"1m\"\n"),
              HasSubstr("auth.jwt_revocation_bound"));
}

TEST_F(ConfigTest, SessionCookieDomainIsADnsName) {
  auto c = load("[auth]\nsession_cookie_domain = \"example.com\"\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->auth.session_cookie_domain, "example.com");
  EXPECT_EQ(load("")->auth.session_cookie_domain, std::nullopt);
  EXPECT_THAT(error_text("[auth]\nsession_cookie_domain = \"com\"\n"),
              HasSubstr("authpp.toml:2: auth.session_cookie_domain: a one-label domain"));
  EXPECT_THAT(error_text("[auth]\nsession_cookie_domain = \".example.com\"\n"),
              HasSubstr("auth.session_cookie_domain"));
}

TEST_F(ConfigTest, RateLimitAndMetricsTablesAreCheckedKeyByKey) {
  auto c = load(
      "[rate_limit]\nenabled = false\nposts_per_minute = 12\nfree_failures = 0\n"
      "max_backoff = 60\n[metrics]\nlisten = \"127.0.0.1:9100\"\n"
      "token = \"0123456789abcdef\"\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->rate_limit.enabled);
  EXPECT_EQ(c->rate_limit.posts_per_minute, 12);
  EXPECT_EQ(c->rate_limit.free_failures, 0);
  EXPECT_EQ(c->rate_limit.max_backoff, std::chrono::seconds(60));
  EXPECT_EQ(c->metrics.listen, "127.0.0.1:9100");
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"[rate_limit]\nposts_per_minute = 0\n", "authpp.toml:2: rate_limit.posts_per_minute"},
           {"[rate_limit]\nfree_failures = -1\n", "authpp.toml:2: rate_limit.free_failures"},
           {"[rate_limit]\nmax_backoff = 86401\n", "authpp.toml:2: rate_limit.max_backoff"},
           {"[rate_limit]\nenabled = \"yes\"\n", "authpp.toml:2: rate_limit.enabled"},
           {"[rate_limit]\nposts_per_min = 10\n", "rate_limit.posts_per_min: unknown key"},
           {"[metrics]\nlisten = \"nowhere\"\n", "authpp.toml:2: metrics.listen"},
           {"[metrics]\nlisten = \"127.0.0.1:99999\"\n", "authpp.toml:2: metrics.listen"},
           {"[metrics]\ntoken = \"short\"\n", "metrics.token: must be at least 16 characters"},
           {"[metrics]\npath = \"/m\"\n", "metrics.path: unknown key"},
       }) {
    SCOPED_TRACE(text);
    EXPECT_THAT(error_text(text), HasSubstr(key));
  }
}

TEST_F(ConfigTest, TotpIsOffByDefaultWithRfc6238Parameters) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->auth.totp.enabled);
  EXPECT_EQ(c->auth.totp.issuer, "authpp");
  EXPECT_EQ(c->auth.totp.params.algorithm, mfa::totp_algorithm::sha1);
  EXPECT_EQ(c->auth.totp.params.digits, 6);
  EXPECT_EQ(c->auth.totp.params.period, std::chrono::seconds(30));
  EXPECT_EQ(c->auth.totp.params.window, 1);
}

TEST_F(ConfigTest, TotpTableSetsTheEngineOptions) {
  auto c = load(
      "[totp]\nenabled = true\nissuer = \"Example Corp\"\ndigits = 8\nperiod = 60\n"
      "window = 0\nalgorithm = \"SHA512\"\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_TRUE(c->auth.totp.enabled);
  EXPECT_EQ(c->auth.totp.issuer, "Example Corp");
  EXPECT_EQ(c->auth.totp.params.algorithm, mfa::totp_algorithm::sha512);
  EXPECT_EQ(c->auth.totp.params.digits, 8);
  EXPECT_EQ(c->auth.totp.params.period, std::chrono::seconds(60));
  EXPECT_EQ(c->auth.totp.params.window, 0);
  auto sha256 = load("[totp]\nalgorithm = \"SHA256\"\n");
  ASSERT_TRUE(sha256) << sha256.error().message();
  EXPECT_EQ(sha256->auth.totp.params.algorithm, mfa::totp_algorithm::sha256);
}

TEST_F(ConfigTest, TotpTableIsCheckedKeyByKey) {
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"[totp]\nenabled = 1\n", "authpp.toml:2: totp.enabled: expected a boolean"},
           {"[totp]\nissuer = \"\"\n", "authpp.toml:2: totp.issuer: must not be empty"},
           {"[totp]\nissuer = \"a\\u001bb\"\n",
            "authpp.toml:2: totp.issuer: must not contain control characters"},
           {"[totp]\nissuer = 7\n", "authpp.toml:2: totp.issuer: expected a string"},
           {"[totp]\ndigits = 5\n", "authpp.toml:2: totp.digits: expected an integer in 6..8"},
           {"[totp]\ndigits = 9\n", "authpp.toml:2: totp.digits: expected an integer in 6..8"},
           {"[totp]\nperiod = 0\n", "authpp.toml:2: totp.period: expected an integer in 1.."},
           {"[totp]\nwindow = -1\n", "authpp.toml:2: totp.window: expected an integer in 0..10"},
           {"[totp]\nwindow = 11\n", "authpp.toml:2: totp.window: expected an integer in 0..10"},
           {"[totp]\nalgorithm = \"sha1\"\n",
            "authpp.toml:2: totp.algorithm: expected \"SHA1\", \"SHA256\" or \"SHA512\""},
           {"[totp]\nalgorithm = \"MD5\"\n", "authpp.toml:2: totp.algorithm: expected"},
           {"[totp]\nsecret = \"x\"\n", "authpp.toml:2: totp.secret: unknown key"},
           {"totp = true\n", "authpp.toml:1: totp: expected a table"},
       }) {
    SCOPED_TRACE(text);
    EXPECT_THAT(error_text(text), HasSubstr(message));
  }
}

TEST_F(ConfigTest, PasskeysFollowDevModeUnlessConfigured) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->passkey.enabled.has_value());  // app::start turns it on in dev mode
  EXPECT_TRUE(c->passkey.provider.user_verification);
  EXPECT_TRUE(c->passkey.provider.allow_sign_up);
  auto off = load("[passkey]\nenabled = false\n");
  ASSERT_TRUE(off) << off.error().message();
  EXPECT_EQ(off->passkey.enabled, std::optional<bool>(false));
}

TEST_F(ConfigTest, PasskeyTableSetsTheProvider) {
  auto c = load(
      "[passkey]\nenabled = true\nname = \"Security key\"\nrp_id = \"example.com\"\n"
      "rp_name = \"Example\"\norigins = [\"https://login.example.com\"]\n"
      "user_verification = false\nallow_sign_up = false\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->passkey.enabled, std::optional<bool>(true));
  const passkey_provider& p = c->passkey.provider;
  EXPECT_EQ(p.id, "passkey");
  EXPECT_EQ(p.name, "Security key");
  EXPECT_EQ(p.rp_id, "example.com");
  EXPECT_EQ(p.rp_name, "Example");
  EXPECT_EQ(p.origins, std::vector<std::string>{"https://login.example.com"});
  EXPECT_FALSE(p.user_verification);
  EXPECT_FALSE(p.allow_sign_up);
}

TEST_F(ConfigTest, PasskeyTableIsCheckedKeyByKey) {
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"[passkey]\nrp_id = \"https://example.com\"\n",
            "authpp.toml:2: passkey.rp_id: expected a host name"},
           {"[passkey]\nrp_id = \"*.example.com\"\n", "passkey.rp_id: expected a host name"},
           {"[passkey]\norigins = [\"https://example.com/login\"]\n",
            "passkey.origins: \"https://example.com/login\" is not an origin"},
           {"[passkey]\nname = \"\"\n", "passkey.name: must be a non-empty line"},
           {"[passkey]\nenabled = \"yes\"\n", "passkey.enabled"},
           {"[passkey]\nchallenge = \"x\"\n", "passkey.challenge: unknown key"},
       }) {
    SCOPED_TRACE(text);
    EXPECT_THAT(error_text(text), HasSubstr(message));
  }
}

TEST_F(ConfigTest, ExpiredRowsArePurgedHourlyUnlessSetOrTurnedOff) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->storage.purge_interval, std::chrono::seconds(3600));
  auto off = load("[storage]\npurge_interval = 0\n");
  ASSERT_TRUE(off) << off.error().message();
  EXPECT_EQ(off->storage.purge_interval, std::chrono::seconds(0));
  EXPECT_THAT(error_text("[storage]\npurge_interval = 604801\n"),
              HasSubstr("storage.purge_interval: expected an integer in 0..604800"));
  EXPECT_THAT(error_text("[storage]\npurge_interval = -1\n"),
              HasSubstr("storage.purge_interval: expected an integer in 0..604800"));
}

TEST_F(ConfigTest, AccountPageFollowsDevModeUnlessSetWithATenMinuteWindow) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->account.enabled.has_value());  // app::start turns it on in dev mode
  EXPECT_EQ(c->account.recent_sign_in, std::chrono::seconds(600));
  EXPECT_FALSE(c->totp_configured);
  auto set = load("[account]\nenabled = true\nrecent_sign_in = 300\n[totp]\nenabled = false\n");
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->account.enabled, std::optional<bool>(true));
  EXPECT_EQ(set->account.recent_sign_in, std::chrono::seconds(300));
  EXPECT_TRUE(set->totp_configured);  // dev mode leaves an explicit [totp] enabled alone
}

TEST_F(ConfigTest, AccountTableIsCheckedKeyByKey) {
  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"[account]\nenabled = \"yes\"\n", "authpp.toml:2: account.enabled: expected a boolean"},
           {"[account]\nrecent_sign_in = 59\n",
            "account.recent_sign_in: expected an integer in 60..86400"},
           {"[account]\nrecent_sign_in = 86401\n",
            "account.recent_sign_in: expected an integer in 60..86400"},
           {"[account]\npath = \"/me\"\n", "account.path: unknown key"},
       }) {
    SCOPED_TRACE(text);
    EXPECT_THAT(error_text(text), HasSubstr(message));
  }
}

TEST_F(ConfigTest, RateLimitCountersGoToRedisWhenARedisUrlIsGiven) {
  auto c = load("[rate_limit]\nredis_url = \"redis://:pw@127.0.0.1:6380/1\"\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->rate_limit.redis_url, "redis://:pw@127.0.0.1:6380/1");
  const std::string bad = error_text("[rate_limit]\nredis_url = \"redis://:hunter2@h:0\"\n");
  EXPECT_THAT(bad, HasSubstr("authpp.toml:2: rate_limit.redis_url: port must be in 1..65535"));
  EXPECT_THAT(bad, Not(HasSubstr("hunter2")));
  EXPECT_THAT(error_text("[rate_limit]\nredis_url = \"http://h\"\n"),
              HasSubstr("rate_limit.redis_url: expected redis://"));
}

// Found by the config fuzz target: toml++ quotes the text it choked on, line break included, and
// a quoted key may hold one; the error must stay one line (a log line, the operator's terminal).
TEST_F(ConfigTest, ErrorsStayOneLineWhenTheyQuoteALineBreak) {
  for (const std::string text : {"access_log = tru\n", "[log]\n\"level\\nx\" = 1\n",
                                 "[[providers]]\ntype = \"git\\nhub\"\n"}) {
    SCOPED_TRACE(text);
    const std::string error = error_text(text);
    EXPECT_EQ(error.find_first_of("\r\n"), std::string::npos) << error;
    EXPECT_THAT(error, HasSubstr("authpp.toml:"));
  }
  EXPECT_THAT(error_text("[[providers]]\ntype = \"git\\nhub\"\n"),
              HasSubstr("unknown type \"git\\nhub\""));
}

TEST_F(ConfigTest, BadProviderTablesAreErrorsNamingTheKey) {
  EXPECT_THAT(error_text("[[providers]]\nclient_id = \"x\"\n"),
              HasSubstr("providers[0].type: required"));
  EXPECT_THAT(error_text("[[providers]]\ntype = \"facebook\"\n"),
              HasSubstr("authpp.toml:2: providers[0].type: unknown type \"facebook\""));
  EXPECT_THAT(error_text("[[providers]]\ntype = \"oidc\"\nissuer = \"not a url\"\n"),
              HasSubstr("authpp.toml:3: providers[0].issuer: expected an absolute http(s) URL"));
  EXPECT_THAT(error_text("[[providers]]\ntype = \"oidc\"\nchecks = [\"pkce\", \"csrf\"]\n"),
              HasSubstr("providers[0].checks: unknown check \"csrf\""));
  EXPECT_THAT(error_text("[[providers]]\ntype = \"oidc\"\nclient_secrt = \"x\"\n"),
              HasSubstr("authpp.toml:3: providers[0].client_secrt: unknown key"));
  EXPECT_THAT(error_text("[[providers]]\ntype = \"github\"\n[[providers]]\ntype = \"github\"\n"),
              HasSubstr("providers[1].id: duplicate provider id \"github\""));
  EXPECT_THAT(error_text("providers = 3\n"), HasSubstr("providers: expected [[providers]] tables"));
}

}  // namespace
}  // namespace authpp::server

namespace authpp::server {
namespace {

TEST_F(ConfigTest, EmailTableIsCheckedKeyByKey) {
  env_["AUTHPP_SMTP_PASSWORD"] = "from-the-environment";
  auto c = load(
      "[email]\ntransport = \"smtp\"\nsmtp_url = \"smtp://mail.example.com:587\"\n"
      "from = \"authpp <no-reply@example.com>\"\nusername = \"authpp\"\nmax_age = 3600\n"
      "sends_per_hour = 2\n");
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->email.transport, "smtp");
  EXPECT_EQ(c->email.smtp_url, "smtp://mail.example.com:587");
  EXPECT_EQ(c->email.password, "from-the-environment");  // kept out of the file
  EXPECT_EQ(c->email.max_age, std::chrono::seconds(3600));
  EXPECT_EQ(c->email.sends_per_hour, 2u);
  EXPECT_TRUE(load("")->email.transport.empty());  // off unless asked for
  for (const auto& [text, key] : std::vector<std::pair<std::string, std::string>>{
           {"[email]\ntransport = \"pigeon\"\n", "authpp.toml:2: email.transport"},
           {"[email]\ntransport = \"smtp\"\nfrom = \"a@example.com\"\n",
            "email.smtp_url: required"},
           {"[email]\ntransport = \"smtp\"\nsmtp_url = \"smtp://x\"\n", "email.from: required"},
           {"[email]\ntransport = \"smtp\"\nfrom = \"a@example.com\"\nsmtp_url = \"http://x\"\n",
            "authpp.toml:4: email.smtp_url"},
           {"[email]\nmax_age = 0\n", "authpp.toml:2: email.max_age"},
           {"[email]\nfrom_address = \"x\"\n", "email.from_address: unknown key"},
       }) {
    EXPECT_THAT(error_text(text), HasSubstr(key)) << text;
  }
}

TEST_F(ConfigTest, EmailSettingsBecomeTheEmailProvider) {
  EXPECT_FALSE(email_from_settings({}, dir_.path().string()).value());
  // The file transport writes <data_dir>/mail.jsonl unless told otherwise.
  auto p = email_from_settings({.transport = "file"}, dir_.path().string());
  ASSERT_TRUE(p && *p) << p.error().message();
  EXPECT_EQ((*p)->id, "email");
  http::request req;
  ASSERT_TRUE((*p)->send_verification_request(
      {"bob@example.com", "http://localhost:3000/api/auth/callback/email?token=t",
       std::chrono::system_clock::now(), req}));
  std::ifstream lines(dir_.path() / "mail.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(json::parse(line)["to"], "bob@example.com");
  // What the mail module refuses stops start-up, naming the field.
  auto bad = email_from_settings(
      {.transport = "smtp", .smtp_url = "smtp://mail.example.com", .from = "not an address"}, ".");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, errc::invalid_config);
  EXPECT_THAT(bad.error().detail, HasSubstr("email.from"));
}

}  // namespace
}  // namespace authpp::server
