// The development sender: one JSON line per link, in a file only its owner can read.
#include <authpp/core/json.hpp>
#include <authpp/mail/mail.hpp>

#include <chrono>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_support/test_support.hpp"
#include "unit/mail/temp_dir.hpp"

namespace authpp::mail {
namespace {

using namespace std::chrono_literals;
using authpp::test::error_of;

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

sign_in_link sample_link(std::string to = "ada@example.org") {
  return {
      .to = std::move(to),
      .url = "http://localhost:3000/api/auth/callback/email?token=abc&email=ada%40example.org",
      .expires = std::chrono::sys_days{std::chrono::year{2025} / 3 / 4} + 5h + 6min + 7s + 89ms};
}

TEST(MailFileSenderTest, AppendsOneJsonLinePerLink) {
  test::temp_dir dir;
  const auto path = dir.path() / "links.jsonl";
  auto s = file_sender(path).value();
  ASSERT_TRUE(s->send(sample_link()));
  ASSERT_TRUE(s->send(sample_link("bob@example.org")));
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            R"({"to":"ada@example.org","url":"http://localhost:3000/api/auth/callback/email?)"
            R"(token=abc&email=ada%40example.org","expires":"2025-03-04T05:06:07.089Z",)"
            R"("subject":"Sign in to localhost:3000"})");
  const json second = json::parse(lines[1]);
  EXPECT_EQ(second["to"], "bob@example.org");
  EXPECT_EQ(second["subject"], "Sign in to localhost:3000");
}

// The file holds live sign-in links: nobody but its owner may read it.
TEST(MailFileSenderTest, CreatesTheFileReadableByItsOwnerOnly) {
  test::temp_dir dir;
  const auto path = dir.path() / "links.jsonl";
  auto s = file_sender(path);
  ASSERT_TRUE(s);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE((*s)->send(sample_link()));
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(MailFileSenderTest, ConcurrentSendersNeverInterleaveLines) {
  test::temp_dir dir;
  const auto path = dir.path() / "links.jsonl";
  auto a = file_sender(path).value();
  auto b = file_sender(path).value();
  // Long URLs make each line several kilobytes, so a torn write would show.
  const auto run = [&](sender& s, char tag) {
    for (int i = 0; i < 200; ++i) {
      sign_in_link link = sample_link();
      link.url +=
          "&n=" + std::string(1, tag) + std::to_string(i) + "&pad=" + std::string(4000, tag);
      ASSERT_TRUE(s.send(link));
    }
  };
  std::thread ta(run, std::ref(*a), 'a');
  std::thread tb(run, std::ref(*b), 'b');
  ta.join();
  tb.join();
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 400u);
  std::set<std::string> seen;
  for (const std::string& line : lines) {
    const json j = json::parse(line);  // throws, failing the test, on a torn line
    const std::string u = j["url"];
    const std::size_t n = u.find("&n=");
    ASSERT_NE(n, std::string::npos);
    const std::string id = u.substr(n + 3, u.find("&pad=") - n - 3);
    EXPECT_EQ(u.substr(u.find("&pad=") + 5), std::string(4000, id[0])) << id;
    EXPECT_TRUE(seen.insert(id).second) << id;
  }
  EXPECT_EQ(seen.size(), 400u);
}

TEST(MailFileSenderTest, RefusesWhatEverySenderRefuses) {
  test::temp_dir dir;
  const auto path = dir.path() / "links.jsonl";
  auto s = file_sender(path).value();
  EXPECT_EQ(error_of(s->send(sample_link("ada@example.org\r\nBcc: eve@evil.example"))),
            errc::malformed_input);
  EXPECT_EQ(error_of(s->send(sample_link("ada@example.org, eve@evil.example"))),
            errc::malformed_input);
  sign_in_link bad_url = sample_link();
  bad_url.url = "/relative?token=secret-token";
  const auto r = s->send(bad_url);
  EXPECT_EQ(error_of(r), errc::invalid_url);
  if (!r) {
    EXPECT_EQ(r.error().detail.find("secret-token"), std::string::npos);
  }
  EXPECT_TRUE(read_lines(path).empty());
}

TEST(MailFileSenderTest, PathThatCannotBeOpenedIsAConfigError) {
  test::temp_dir dir;
  const auto r = file_sender(dir.path() / "missing-dir" / "links.jsonl");
  EXPECT_EQ(error_of(r), errc::invalid_config);
  if (!r) {
    EXPECT_NE(r.error().detail.find("email.file.path"), std::string::npos);
  }
  EXPECT_EQ(error_of(file_sender("")), errc::invalid_config);
}

TEST(MailFileSenderTest, FileRemovedAfterStartIsRecreated) {
  test::temp_dir dir;
  const auto path = dir.path() / "links.jsonl";
  auto s = file_sender(path).value();
  std::filesystem::remove(path);
  ASSERT_TRUE(s->send(sample_link()));
  EXPECT_EQ(read_lines(path).size(), 1u);
}

}  // namespace
}  // namespace authpp::mail
