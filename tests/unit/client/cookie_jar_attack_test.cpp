// Attacks on the client's cookie jar, each test named after what it stops: a Set-Cookie whose
// control characters would corrupt the tab-separated jar file (and with it every later call), a
// file or symlink planted at the temporary file's name, and host names that only look like
// loopback addresses and would be sent Secure cookies over plain http.
#include <authpp/client/client.hpp>
#include <authpp/client/cookie_jar.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_support/test_support.hpp"
#include "unit/client/raw_server.hpp"

namespace authpp::client {
namespace {

namespace fs = std::filesystem;
using test::error_of;
using test::raw_server;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream(path, std::ios::binary) << text;
}

class CookieJarAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "authpp-jar-attack-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::set<std::string> entries() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.insert(e.path().filename().string());
    return out;
  }

  test::fixed_clock clock_{1795750743};
  cookie_jar jar_{clock_};
  fs::path dir_;
};

// RFC 6265 §4.1.1: cookie-octets exclude CTLs, and the Netscape file separates fields with tabs and
// lines with newlines. A tab in a stored name, value or path made the next save write an 8-field
// line, and every later `authpp … --jar` call then failed to load the jar. curl drops such cookies
// ("invalid octets in name/value, cookie dropped"); so does the jar now.
TEST_F(CookieJarAttackTest, ControlCharacterInSetCookieIsIgnoredAndCannotCorruptTheJarFile) {
  ASSERT_TRUE(jar_.store("good=1; Path=/", "http://example.com/"));
  ASSERT_TRUE(jar_.store("kept=2; Domain=example.com; Max-Age=60", "http://example.com/"));
  const std::string before = jar_.to_netscape();
  for (const std::string& header : {
           std::string("ta\tb=1"),                      // name
           std::string("tab=a\tb"),                     // value
           std::string("tab=1; Path=/a\tb"),            // path
           std::string("tab=1; Domain=exa\tmple.com"),  // domain
           std::string("ctl=a\x01z"),
           std::string("ctl=a\x1fz"),
           std::string("ctl=a\x7fz"),
           std::string("ctl=a\rz"),
           std::string("ctl=a\nz"),
           std::string("ctl=a\0z", 7),
           std::string("ctl=1; Path=/a\x0b"),
       }) {
    SCOPED_TRACE(testing::PrintToString(header));
    EXPECT_EQ(error_of(jar_.store(header, "http://example.com/")), errc::malformed_input);
  }
  EXPECT_EQ(jar_.to_netscape(), before);
  // Tabs around the pair and the attributes are whitespace (RFC 6265 §5.2), not part of a field.
  ASSERT_TRUE(jar_.store("\tws=3\t;\tPath=/\t", "http://example.com/"));

  const fs::path file = dir_ / "jar.txt";
  ASSERT_TRUE(jar_.save(file));
  cookie_jar again(clock_);
  const auto loaded = again.load(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(again.cookie_header_for("http://example.com/"), "good=1; kept=2; ws=3");
}

// The same through a real response: the client ignores the bad cookies, keeps the good one, and
// the jar file it saves loads again.
TEST_F(CookieJarAttackTest, TabInAServersSetCookieDoesNotBreakLaterLoadsOfTheJar) {
  raw_server server([](const std::string&, raw_server::connection& c) {
    c.write(raw_server::response(200, "{}",
                                 "Set-Cookie: good=1; Path=/\r\n"
                                 "Set-Cookie: evil=a\tb; Path=/\r\n"
                                 "Set-Cookie: ev\til=1; Path=/\r\n"
                                 "Set-Cookie: path=1; Path=/api\tx\r\n"));
  });
  auto jar = std::make_shared<cookie_jar>();
  client_options o;
  o.base_url = server.url("/api/auth");
  o.jar = jar;
  o.log = [](log_level, std::string_view) {};
  const client c = client::create(std::move(o)).value();
  ASSERT_TRUE(c.get_session());
  const fs::path file = dir_ / "jar.txt";
  ASSERT_TRUE(jar->save(file));

  cookie_jar again;
  const auto loaded = again.load(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(again.cookie_header_for(server.url("/api/x")), "good=1");
}

// A jar already corrupted (by an older authpp, or by hand) must not lock its user out: the bad
// lines are skipped, the good cookies load, and the next save drops the bad lines.
TEST_F(CookieJarAttackTest, MalformedLineInAJarFileIsSkippedNotFatalForEveryLaterCall) {
  const fs::path file = dir_ / "jar.txt";
  write_file(file,
             "# Netscape HTTP Cookie File\n"
             "example.com\tFALSE\t/\tFALSE\t0\tgood\t1\n"
             "example.com\tFALSE\t/\tFALSE\t0\tevil\ta\tb\n"  // a value with a tab
             "example.com\tFALSE\t/\tFALSE\t0\tcr\ta\rInjected: 1\n"
             "example.com\tFALSE\t/\tFALSE\tsoon\tbad\texpiry\n"
             "#HttpOnly_example.com\tFALSE\t/\tFALSE\t0\tlast\t2\n");
  const auto loaded = jar_.load(file);
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(jar_.cookie_header_for("http://example.com/"), "good=1; last=2");
  ASSERT_TRUE(jar_.save(file));
  cookie_jar again(clock_);
  ASSERT_TRUE(again.load(file));
  EXPECT_EQ(again.to_netscape(), jar_.to_netscape());
  EXPECT_EQ(read_file(file).find("evil"), std::string::npos);
}

// Skipping bad lines must not turn `--jar ~/.profile` into "load nothing, then overwrite it with
// a cookie file": a file with no cookie line and no cookie-file header is still refused.
TEST_F(CookieJarAttackTest, FileThatIsNotACookieJarIsStillRefusedSoItIsNotOverwritten) {
  const fs::path file = dir_ / "profile";
  write_file(file, "export PATH=$HOME/bin:$PATH\nalias ll='ls -l'\n");
  const auto loaded = jar_.load(file);
  ASSERT_EQ(error_of(loaded), errc::malformed_input);
  EXPECT_THAT(loaded.error().message(), ::testing::HasSubstr("line 1"));
}

// The old temporary name, `<jar>.tmp.<pid>`, was opened with O_CREAT|O_TRUNC and without
// O_EXCL|O_NOFOLLOW: a symlink planted there made the save overwrite the file it points to.
TEST_F(CookieJarAttackTest, SymlinkPlantedAtTheTemporaryNameDoesNotRedirectTheSave) {
  const fs::path file = dir_ / "jar.txt";
  const fs::path victim = dir_ / "victim";
  write_file(victim, "precious\n");
  fs::create_symlink(victim, dir_ / ("jar.txt.tmp." + std::to_string(::getpid())));
  ASSERT_TRUE(jar_.store("a=1; Max-Age=60", "http://example.com/"));
  ASSERT_TRUE(jar_.save(file));
  EXPECT_EQ(read_file(victim), "precious\n");
  EXPECT_FALSE(fs::is_symlink(file));
  cookie_jar again(clock_);
  ASSERT_TRUE(again.load(file));
  EXPECT_EQ(again.cookie_header_for("http://example.com/"), "a=1");
}

// A regular file planted at the old name (say mode 0644, owned by someone else in a shared
// directory) was truncated, filled with the session cookies and renamed into place: it became the
// jar, with the planter's owner and mode. The jar must be a new file of ours.
TEST_F(CookieJarAttackTest, FilePlantedAtTheTemporaryNameIsNotReusedAsTheJar) {
  const fs::path file = dir_ / "jar.txt";
  const fs::path planted = dir_ / ("jar.txt.tmp." + std::to_string(::getpid()));
  write_file(planted, "planted\n");
  fs::permissions(planted, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                               fs::perms::others_read);
  ASSERT_TRUE(jar_.store("a=1; Max-Age=60", "http://example.com/"));
  ASSERT_TRUE(jar_.save(file));
  EXPECT_EQ(read_file(planted), "planted\n");
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

// Following a symlinked jar would write the cookies wherever it points; the rename replaces the
// link itself.
TEST_F(CookieJarAttackTest, SymlinkedJarIsReplacedNotFollowed) {
  const fs::path file = dir_ / "jar.txt";
  const fs::path victim = dir_ / "victim";
  write_file(victim, "precious\n");
  fs::create_symlink(victim, file);
  ASSERT_TRUE(jar_.store("a=1; Max-Age=60", "http://example.com/"));
  ASSERT_TRUE(jar_.save(file));
  EXPECT_EQ(read_file(victim), "precious\n");
  EXPECT_FALSE(fs::is_symlink(file));
}

// Session cookies are credentials: the jar is 0600 whatever the umask and the old file's mode.
TEST_F(CookieJarAttackTest, SavedJarIsMode0600WhateverTheUmaskAndTheOldMode) {
  const fs::path file = dir_ / "jar.txt";
  write_file(file, "# Netscape HTTP Cookie File\n");
  fs::permissions(file, fs::perms::all);
  const mode_t old_umask = ::umask(0);
  ASSERT_TRUE(jar_.store("a=1; Max-Age=60", "http://example.com/"));
  const auto saved = jar_.save(file);
  ::umask(old_umask);
  ASSERT_TRUE(saved);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

// A failed save leaves neither a temporary file (with the cookies in it) nor a changed jar.
TEST_F(CookieJarAttackTest, FailedSaveLeavesNoTemporaryFileBehind) {
  const fs::path file = dir_ / "jar.txt";
  fs::create_directories(file / "not-empty");  // rename() over a non-empty directory fails
  ASSERT_TRUE(jar_.store("a=1; Max-Age=60", "http://example.com/"));
  EXPECT_EQ(error_of(jar_.save(file)), errc::storage_unavailable);
  EXPECT_EQ(entries(), std::set<std::string>{"jar.txt"});
  ASSERT_TRUE(jar_.save(dir_ / "ok.txt"));
  EXPECT_EQ(entries(), (std::set<std::string>{"jar.txt", "ok.txt"}));
}

// `host.starts_with("127.")` made any name beginning with "127." loopback, so a server at
// http://127.evil.example/ received the Secure cookies set over https (and could set Secure
// cookies over http). Loopback is `localhost`, `*.localhost`, an IPv4 literal in 127.0.0.0/8 in
// dotted-quad form, and ::1 (or ::ffff:127.x.y.z).
//
// `127.1` (and `0x7f.0.0.1`, `2130706433`, `127.0.0.01`) is loopback to a browser, whose URL parser
// rewrites it to 127.0.0.1 before asking, and to getaddrinfo (inet_aton). Our URL parser keeps it
// as a name, and we decide with inet_pton, which refuses those forms: they are not trustworthy
// here. That only errs on the safe side (Secure cookies are then not used over http to them); write
// 127.0.0.1.
TEST_F(CookieJarAttackTest, HostNamesThatOnlyLookLikeLoopbackGetNoSecureCookiesOverHttp) {
  for (const std::string host : {
           "127.evil.example",
           "127.0.0.1.nip.io",
           "127.0.0.1.evil",
           "127.1",
           "127.0.0.01",
           "0x7f.0.0.1",
           "2130706433",
           "localhost.evil.example",
           "evillocalhost",
           "[::2]",
           "[::ffff:128.0.0.1]",
           "[::127.0.0.1]",
           "128.0.0.1",
       }) {
    SCOPED_TRACE(host);
    // Cannot set a Secure cookie over http ...
    const auto over_http = jar_.store("s=1; Secure", "http://" + host + "/");
    if (host == "127.0.0.1.nip.io" || host == "127.0.0.1.evil") {
      // Boost.URL 1.81 reads the leading dotted quad as an IPv4 host and then refuses the rest:
      // such a URL is unusable altogether, so nothing can be sent to it.
      EXPECT_EQ(error_of(over_http), errc::invalid_url);
      continue;
    }
    EXPECT_EQ(error_of(over_http), errc::cookie_rejected);
    // ... and one set over https is not sent back over http.
    cookie_jar jar(clock_);
    ASSERT_TRUE(jar.store("s=1; Secure", "https://" + host + "/"));
    EXPECT_EQ(jar.cookie_header_for("https://" + host + "/"), "s=1");
    EXPECT_EQ(jar.cookie_header_for("http://" + host + "/"), "");
  }
}

TEST_F(CookieJarAttackTest, RealLoopbackHostsStayTrustworthyForDevelopmentServers) {
  for (const std::string host : {
           "127.0.0.1",
           "127.255.255.254",
           "127.0.0.0",
           "[::1]",
           "[0:0:0:0:0:0:0:1]",
           "localhost",
           "a.localhost",
           "a.b.localhost",
           "[::ffff:127.0.0.1]",
       }) {
    SCOPED_TRACE(host);
    cookie_jar jar(clock_);
    const auto stored = jar.store("s=1; Secure", "http://" + host + ":3000/");
    ASSERT_TRUE(stored) << stored.error().message();
    EXPECT_EQ(jar.cookie_header_for("http://" + host + ":3000/"), "s=1");
  }
}

}  // namespace
}  // namespace authpp::client
