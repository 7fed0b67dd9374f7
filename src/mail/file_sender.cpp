#include <authpp/core/json.hpp>
#include <authpp/mail/mail.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "link.hpp"

namespace authpp::mail {
namespace {

// iso_utc formats `t` as JavaScript's Date.toISOString does: "2025-01-01T00:00:00.000Z".
std::string iso_utc(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(ms);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(ms - day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

// open_for_append opens `path` to append, creating it readable by its owner only: the lines hold
// live sign-in links.
int open_for_append(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

class file_sender_impl final : public sender {
 public:
  explicit file_sender_impl(std::filesystem::path path) : path_(std::move(path)) {}

  result<void> send(const sign_in_link& link) override {
    if (auto ok = check_link(link); !ok) return ok;
    json line = json::object();
    line["to"] = link.to;
    line["url"] = link.url;
    line["expires"] = iso_utc(link.expires);
    line["subject"] = sign_in_message(link, "").subject;
    const std::string text = line.dump() + "\n";

    // Opened per line, so a developer may delete or rotate the file between sign-ins.
    const int fd = open_for_append(path_);
    if (fd < 0) return io_error("cannot open");
    ssize_t written = 0;
    do {
      // One write with O_APPEND: the kernel appends the whole line at the end in one step, so
      // lines from concurrent senders (threads or processes) never interleave.
      written = ::write(fd, text.data(), text.size());
    } while (written < 0 && errno == EINTR);
    const int write_errno = errno;
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size())) {
      errno = written < 0 ? write_errno : ENOSPC;
      return io_error("cannot append a whole line to");
    }
    return {};
  }

 private:
  auth_error io_error(std::string_view what) const {
    return auth_error{errc::storage_unavailable,
                      std::string(what) + " " + path_.string() + ": " + std::strerror(errno)};
  }

  std::filesystem::path path_;
};

}  // namespace

result<std::unique_ptr<sender>> file_sender(std::filesystem::path path) {
  if (path.empty()) return auth_error{errc::invalid_config, "email.file.path: missing"};
  // Created now, so that a wrong path shows at start-up rather than at the first sign-in.
  const int fd = open_for_append(path);
  if (fd < 0) {
    return auth_error{errc::invalid_config, "email.file.path: cannot open " + path.string() +
                                                " for appending: " + std::strerror(errno)};
  }
  ::close(fd);
  return std::unique_ptr<sender>(std::make_unique<file_sender_impl>(std::move(path)));
}

}  // namespace authpp::mail
