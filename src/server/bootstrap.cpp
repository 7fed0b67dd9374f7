#include <authpp/core/base64url.hpp>
#include <authpp/core/hex.hpp>
#include <authpp/server/bootstrap.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace authpp::server {
namespace {

constexpr std::size_t secret_bytes = 32;
// A secret file longer than this is not one we wrote.
constexpr std::size_t max_secret_file = 4096;

auth_error io_error(std::string_view what, const std::string& path, int e) {
  return auth_error{errc::storage_unavailable,
                    std::string(what) + " " + path + ": " + std::strerror(e)};
}

// fd_guard closes a descriptor on every path out.
class fd_guard {
 public:
  explicit fd_guard(int fd) : fd_(fd) {}
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  ~fd_guard() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// make_dirs creates `dir` and its missing parents with mode 0700. Existing directories keep their
// mode: the operator may have chosen it, and the secret file's own mode is what protects it.
result<void> make_dirs(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return io_error("cannot create directory", partial.string(), errno);
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return io_error("cannot open directory", dir.string(), errno);
  if (!S_ISDIR(st.st_mode)) {
    return auth_error{errc::storage_unavailable, dir.string() + " is not a directory"};
  }
  return {};
}

// read_secret reads an existing secret file: nullopt when there is none.
result<std::optional<std::string>> read_secret(const std::string& path) {
  const fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return io_error("cannot read", path, errno);
  }
  // Checked on the open descriptor, so the file inspected is the file read.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error("cannot read", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return auth_error{errc::invalid_config, path + " is not a regular file"};
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return auth_error{errc::invalid_config,
                      path + " has mode " + mode +
                          ": a secret must be accessible by its owner only; run chmod 600 " + path};
  }
  std::string data;
  char buf[1024];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path, errno);
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > max_secret_file) {
      return auth_error{errc::invalid_config, path + " is too large to be a secret"};
    }
  }
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' ')) {
    data.pop_back();
  }
  if (data.empty()) {
    return auth_error{errc::invalid_config,
                      path + " is empty; delete it to have a new secret generated"};
  }
  return std::optional<std::string>(std::move(data));
}

result<void> write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// write_new_secret writes `content` to a fresh temporary file (O_EXCL, 0600), fsyncs it, and
// links it to `path`. link() fails if `path` exists, so a concurrent start keeps the first
// secret; and a crash leaves either no secret file or a complete one, never a truncated one.
// It returns false when another process's file won.
result<bool> write_new_secret(const std::filesystem::path& dir, const std::string& path,
                              std::string_view content, const random_source& random) {
  auto suffix = random_bytes(random, 8);
  if (!suffix) return suffix.error();
  const std::string tmp = (dir / (".secret." + hex::encode(*suffix) + ".tmp")).string();
  {
    const fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return io_error("cannot create", tmp, errno);
    auto written = write_all(fd.get(), content, tmp);
    // Mode 0600 exactly, whatever the umask.
    if (written && ::fchmod(fd.get(), 0600) != 0) written = io_error("cannot chmod", tmp, errno);
    if (written && ::fsync(fd.get()) != 0) written = io_error("cannot sync", tmp, errno);
    if (!written) {
      ::unlink(tmp.c_str());
      return written.error();
    }
  }
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return false;
    return io_error("cannot create", path, link_errno);
  }
  // The new directory entry must reach the disk too, or a power cut could lose the file after
  // sessions were issued under its secret.
  const fd_guard dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dfd.get() >= 0) (void)::fsync(dfd.get());
  return true;
}

}  // namespace

result<std::string> ensure_dev_secret(const std::string& data_dir, const random_source& random) {
  if (data_dir.empty()) return auth_error{errc::invalid_config, "storage.data_dir is empty"};
  const std::filesystem::path dir(data_dir);
  const std::string path = (dir / "secret").string();

  auto existing = read_secret(path);
  if (!existing) return existing.error();
  if (*existing) return std::move(**existing);

  if (auto made = make_dirs(dir); !made) return made.error();
  auto key = random_bytes(random, secret_bytes);
  if (!key) return key.error();
  const std::string secret = base64url::encode(*key);
  auto created = write_new_secret(dir, path, secret + "\n", random);
  if (!created) return created.error();
  if (*created) return secret;

  // Another process created it between our read and our link: use theirs.
  auto theirs = read_secret(path);
  if (!theirs) return theirs.error();
  if (!*theirs) return auth_error{errc::storage_unavailable, path + " vanished while starting"};
  return std::move(**theirs);
}

result<std::optional<demo_user>> ensure_demo_user(adapters::user_store& store,
                                                  const adapters::argon2_params& params,
                                                  const random_source& random) {
  auto users = store.list_users();
  if (!users) return users.error();
  if (!users->empty()) return std::optional<demo_user>{};

  // 16 characters from 62: about 95 bits. Rejection sampling keeps every character equally
  // likely (248 is the largest multiple of 62 below 256).
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string password;
  while (password.size() < 16) {
    auto chunk = random_bytes(random, 32);
    if (!chunk) return chunk.error();
    for (std::byte b : *chunk) {
      const auto v = std::to_integer<unsigned>(b);
      if (v < 248 && password.size() < 16) password += alphabet[v % alphabet.size()];
    }
  }

  auto hash = adapters::hash_password(password, params);
  if (!hash) return hash.error();
  adapters::new_user user{.email = demo_email, .name = "Demo User"};
  auto added = store.add_user(user, *hash);
  if (!added) {
    if (added.error().code == errc::already_exists) return std::optional<demo_user>{};
    return added.error();
  }
  return std::optional<demo_user>(demo_user{added->email, std::move(password)});
}

}  // namespace authpp::server
